// Page views and the features that paint them (after Refined GitHub's feature manager). A page view is one
// URL with its repo header: it starts at load, and again when the URL changes without a load (History or
// Navigation API, popstate, a page restored from the back-forward cache) or the page swaps its header.
// Each feature is a function of the DOM it finds: `start` sets up what it needs (reads, messages) and
// returns `apply`, which makes the page show the feature's state — idempotent, so it runs after every
// batch of DOM changes, removals included. The Hub's hydration detaches what it did not render, in place
// (HUB.md "The real site in 2026"); the next batch puts it back, and a batch in which nothing is missing
// changes nothing, so there is no repaint loop.
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { detectPage } from '@/lib/hub/page';
import { SELECTORS } from '@/lib/hub/selectors';
import type { PageInfo } from '@/lib/hub/url';
import { send } from '@/lib/messaging-client';
import type { Settings } from '@/lib/settings';

export interface PageView {
  readonly info: PageInfo;
  /** Aborted when the page view ends (navigation, the extension reloaded). */
  readonly signal: AbortSignal;
  readonly settings: Settings;
  /** Runs every feature's `apply` again soon: call it when state that painting reads has changed. */
  repaint(): void;
}

export interface Feature {
  id: string;
  setting: keyof Settings;
  include(info: PageInfo): boolean;
  start(view: PageView): () => void;
}

/** Only the attributes Picklens itself sets are watched (an attribute reset must be repaired too). */
const WATCHED_ATTRIBUTES = ['data-picklens-risk', 'data-picklens-format', 'data-picklens-path'];

export function runFeatures(ctx: ContentScriptContext, settings: Settings, features: Feature[]): void {
  let current:
    | { href: string; header: Element | null; controller: AbortController; applies: [string, () => void][] }
    | undefined;
  let scheduled = false;
  const visited = new Set<string>();
  let toldDangerous = -1;

  /**
   * The toolbar icon's count: the dangerous files this page shows (badges, or the repo chip's count), told
   * to the background when it changes (no permission needed: the action's badge is the extension's own).
   */
  const tellRisks = () => {
    const badges = document.querySelectorAll<HTMLElement>('.picklens-badge[data-picklens-risk="dangerous"]');
    const paths = new Set([...badges].map((b) => b.dataset.picklensPath));
    const chip = document.querySelector<HTMLElement>('.picklens-chip[data-picklens-chip="ready"]');
    const n = Math.max(paths.size, Number(chip?.dataset.picklensDangerous ?? 0));
    if (n === toldDangerous) return;
    toldDangerous = n;
    void send('tabRisks', { dangerous: n }).catch(() => undefined);
  };

  const applyAll = () => {
    scheduled = false;
    for (const [id, apply] of current?.applies ?? []) {
      try {
        apply();
      } catch (e) {
        console.warn(`picklens: ${id}`, e);
      }
    }
    tellRisks();
  };
  const repaint = () => {
    if (scheduled || ctx.isInvalid) return;
    scheduled = true;
    queueMicrotask(applyAll);
  };

  const begin = (header: Element | null) => {
    current?.controller.abort();
    const controller = new AbortController();
    const signal = AbortSignal.any([ctx.signal, controller.signal]);
    const href = location.href;
    const info = detectPage(href, document);
    const applies: [string, () => void][] = [];
    if (info) {
      // One visit per URL per document: a header swapped by a re-render is not a second visit.
      if (!visited.has(href)) {
        visited.add(href);
        void send('logVisit', { repo: info.repo, url: href, page: info.page }).catch(() => undefined);
      }
      const view: PageView = { info, signal, settings, repaint };
      for (const f of features) {
        if (!settings[f.setting] || !f.include(info)) continue;
        try {
          applies.push([f.id, f.start(view)]);
        } catch (e) {
          console.warn(`picklens: feature ${f.id} failed to start`, e);
        }
      }
    }
    current = { href, header, controller, applies };
    // Which features run on this page view, for the curious and for tests ('none' on a page that is not
    // a repo's, or where every feature is off).
    document.documentElement.dataset.picklens = applies.map(([id]) => id).join(' ') || 'none';
    applyAll();
  };

  /** A new page view when the URL or the repo header changed; else one more paint. */
  const check = () => {
    if (ctx.isInvalid) return;
    const header = document.querySelector(SELECTORS.repoHeader);
    if (!current || current.href !== location.href || current.header !== header) begin(header);
    else repaint();
  };

  const observer = new MutationObserver(check);
  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: WATCHED_ATTRIBUTES,
  });
  // Navigations without a load. The DOM may change after the URL does: look once the task is over (the
  // observer sees the DOM change anyway).
  const later = () => setTimeout(check, 0);
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  nav?.addEventListener('currententrychange', later);
  window.addEventListener('popstate', later);
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    // Restored from the back-forward cache: a new page view of the same DOM.
    current = undefined;
    later();
  });
  ctx.onInvalidated(() => {
    observer.disconnect();
    nav?.removeEventListener('currententrychange', later);
    window.removeEventListener('popstate', later);
    current?.controller.abort();
    delete document.documentElement.dataset.picklens;
  });
  check();
}
