// Discussions list and PR pages: SFconvertbot conversion PRs marked with their state, and checked. The states
// come from the background (which records every change it sees). On a conversion PR's page the background
// checks the PR's safetensors against the checkpoint it came from (lib/hub/verify-pr.ts) and a panel under
// the title says what it found; on the list, a mark shows the last check, or a button runs one. A mark or
// panel the Hub's hydration removes is put back; one mark per PR on the list (its first link), one in the
// PR page's title.
import type { ConversionPrState } from '@/lib/background/handlers';
import { VERIFY_WORDS, summarize } from '@/lib/hub/verify-summary';
import { SELECTORS } from '@/lib/hub/selectors';
import { parseHubUrl } from '@/lib/hub/url';
import type { PrVerification } from '@/lib/hub/verify-pr';
import { send } from '@/lib/messaging-client';
import { ensureStyle, removeCopies } from '../badge';
import type { Feature, PageView } from '../page-views';
import { pendingPanel, resultPanel } from '../verify-view';

/** How often a running check's progress is asked for. */
const PROGRESS_EVERY_MS = 400;

function mark(num: number, status: string, verdict: PrVerification['verdict'] | undefined): HTMLElement {
  const m = document.createElement('span');
  m.className = 'picklens-chip picklens-pr';
  m.dataset.picklensPrStatus = status;
  m.dataset.picklensPrNum = String(num);
  if (verdict) m.dataset.picklensVerify = verdict;
  m.textContent = `SFconvertbot conversion · ${status}${verdict ? ` · ${VERIFY_WORDS[verdict]}` : ''}`;
  return m;
}

function start(view: PageView): () => void {
  const { info } = view;
  let prs: Map<number, ConversionPrState> | undefined;
  /** The PR page's panel, and the list's buttons (by PR), kept so a re-render puts the same nodes back. */
  let panel: HTMLElement | undefined;
  const buttons = new Map<number, HTMLButtonElement>();

  const check = (num: number, again: boolean, onProgress?: () => void): Promise<PrVerification> => {
    const poll = onProgress ? setInterval(onProgress, PROGRESS_EVERY_MS) : undefined;
    return send('verifyPr', { repo: info.repo, num, again }).finally(() => clearInterval(poll));
  };
  /** A finished check updates what the marks show. */
  const learn = (num: number, r: PrVerification) => {
    const pr = prs?.get(num);
    if (pr) pr.verification = summarize(r, Date.now());
    view.repaint();
  };

  const runPanel = (num: number, again: boolean) => {
    const p = panel;
    if (!p) return;
    pendingPanel(p, null);
    const progress = () =>
      void send('verifyProgress', { repo: info.repo, num }).then((g) => {
        if (p.dataset.picklensVerify === 'pending') pendingPanel(p, g);
      });
    check(num, again, progress).then(
      (r) => {
        if (view.signal.aborted) return;
        resultPanel(p, r, () => runPanel(num, true));
        learn(num, r);
      },
      (e: unknown) => {
        p.dataset.picklensVerify = 'error';
        p.textContent = `Picklens: the check could not run (${e instanceof Error ? e.message : String(e)})`;
      },
    );
  };

  void send('refreshConversionPrs', { repo: info.repo })
    .then((list) => {
      if (view.signal.aborted) return;
      prs = new Map(list.map((p) => [p.num, p]));
      if (info.page === 'discussion' && info.num !== undefined && prs.has(info.num)) {
        panel = document.createElement('section');
        panel.className = 'picklens-verify';
        panel.setAttribute('role', 'status');
        panel.setAttribute('aria-live', 'polite');
        panel.setAttribute('aria-label', 'Picklens: is this conversion the same model?');
        runPanel(info.num, false);
      }
      view.repaint();
    })
    .catch((e: unknown) => console.warn('picklens: PR marks', e));

  const listButton = (num: number): HTMLButtonElement => {
    let b = buttons.get(num);
    if (b) return b;
    b = document.createElement('button');
    b.type = 'button';
    b.className = 'picklens-chip picklens-verify-button';
    b.dataset.picklensVerifyButton = String(num);
    b.textContent = 'Check the conversion';
    const button = b;
    b.addEventListener('click', () => {
      button.disabled = true;
      button.textContent = 'Checking…';
      check(num, false).then(
        (r) => learn(num, r),
        (e: unknown) => {
          button.disabled = false;
          button.textContent = `Check failed (${e instanceof Error ? e.message : String(e)}): try again`;
        },
      );
    });
    buttons.set(num, b);
    return b;
  };

  type Want = {
    num: number;
    status: string;
    verdict?: PrVerification['verdict'];
    place: (m: HTMLElement) => boolean;
    put: (m: HTMLElement) => void;
    anchor: Element;
  };
  /** Where each mark must be: after `anchor` (or inside, appended, for the PR page's title). */
  const wanted = (): Want[] => {
    if (!prs) return [];
    const all = prs;
    if (info.page === 'discussion' && info.num !== undefined) {
      const pr = all.get(info.num);
      const title = document.querySelector(SELECTORS.discussionTitle);
      if (!pr || !title) return [];
      return [
        {
          num: info.num,
          status: pr.status,
          verdict: pr.verification?.verdict,
          place: (m) => m.parentElement === title,
          put: (m) => title.append(m),
          anchor: title,
        },
      ];
    }
    const out: Want[] = [];
    const done = new Set<number>();
    for (const a of document.querySelectorAll<HTMLAnchorElement>(SELECTORS.discussionLink)) {
      // The Hub's own rows only: the repo chip's link to an open PR is Picklens's, not a row.
      if (a.closest('.picklens-chip')) continue;
      const num = parseHubUrl(new URL(a.href, location.href))?.num;
      const pr = num === undefined ? undefined : all.get(num);
      if (num === undefined || !pr || done.has(num)) continue;
      done.add(num);
      out.push({
        num,
        status: pr.status,
        verdict: pr.verification?.verdict,
        place: (m) => a.nextElementSibling === m,
        put: (m) => a.after(m),
        anchor: a,
      });
    }
    return out;
  };

  /** A mark that is the one wanted: this PR, this state, this check, in this place. */
  const fits = (m: HTMLElement, w: Want) =>
    m.dataset.picklensPrNum === String(w.num) &&
    m.dataset.picklensPrStatus === w.status &&
    (m.dataset.picklensVerify ?? '') === (w.verdict ?? '') &&
    w.place(m);

  return () => {
    ensureStyle(document);
    const want = wanted();
    const existing = [...document.querySelectorAll<HTMLElement>('.picklens-pr')];
    for (const w of want) if (!existing.some((m) => fits(m, w))) w.put(mark(w.num, w.status, w.verdict));
    // Marks that are not where one is wanted (a copy, a stale state) go.
    for (const m of document.querySelectorAll<HTMLElement>('.picklens-pr'))
      if (!want.some((w) => fits(m, w))) m.remove();
    if (info.page === 'discussion') {
      const w = want[0];
      if (panel && w) {
        removeCopies(document, 'section.picklens-verify', panel);
        if (w.anchor.nextElementSibling !== panel) w.anchor.after(panel);
      }
      return;
    }
    // The list: a button after each mark of a PR not yet checked.
    for (const w of want) {
      const m = [...document.querySelectorAll<HTMLElement>('.picklens-pr')].find((x) => fits(x, w));
      const b = buttons.get(w.num);
      if (w.verdict) {
        b?.remove();
        continue;
      }
      const button = listButton(w.num);
      if (m && m.nextElementSibling !== button) m.after(button);
    }
    for (const b of document.querySelectorAll<HTMLElement>('[data-picklens-verify-button]'))
      if (![...buttons.values()].includes(b as HTMLButtonElement)) b.remove();
  };
}

export const prMarks: Feature = {
  id: 'pr-marks',
  setting: 'prMarks',
  include: (info) => info.page === 'discussions' || info.page === 'discussion',
  start,
};
