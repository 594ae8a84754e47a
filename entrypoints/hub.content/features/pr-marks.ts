// Discussions list and PR pages: SFconvertbot conversion PRs marked with their state. The states come from
// the background (which records every change it sees). A mark the Hub's hydration removes is put back; one
// mark per PR on the list (its first link), one in the PR page's title.
import { SELECTORS } from '@/lib/hub/selectors';
import { parseHubUrl } from '@/lib/hub/url';
import { send } from '@/lib/messaging-client';
import { ensureStyle } from '../badge';
import type { Feature, PageView } from '../page-views';

function mark(num: number, status: string): HTMLElement {
  const m = document.createElement('span');
  m.className = 'picklens-chip picklens-pr';
  m.dataset.picklensPrStatus = status;
  m.dataset.picklensPrNum = String(num);
  m.textContent = `SFconvertbot conversion · ${status}`;
  return m;
}

function start(view: PageView): () => void {
  const { info } = view;
  let statuses: Map<number, string> | undefined;
  void send('refreshConversionPrs', { repo: info.repo })
    .then((prs) => {
      if (view.signal.aborted) return;
      statuses = new Map(prs.map((p) => [p.num, p.status]));
      view.repaint();
    })
    .catch((e: unknown) => console.warn('picklens: PR marks', e));

  /** Where each mark must be: after `anchor` (or inside, appended, for the PR page's title). */
  const wanted = (): {
    num: number;
    status: string;
    place: (m: HTMLElement) => boolean;
    put: (m: HTMLElement) => void;
  }[] => {
    if (!statuses) return [];
    const all = statuses;
    if (info.page === 'discussion' && info.num !== undefined) {
      const status = all.get(info.num);
      const title = document.querySelector(SELECTORS.discussionTitle);
      if (!status || !title) return [];
      return [
        { num: info.num, status, place: (m) => m.parentElement === title, put: (m) => title.append(m) },
      ];
    }
    const out: ReturnType<typeof wanted> = [];
    const done = new Set<number>();
    for (const a of document.querySelectorAll<HTMLAnchorElement>(SELECTORS.discussionLink)) {
      const num = parseHubUrl(new URL(a.href, location.href))?.num;
      const status = num === undefined ? undefined : all.get(num);
      if (num === undefined || !status || done.has(num)) continue;
      done.add(num);
      out.push({ num, status, place: (m) => a.nextElementSibling === m, put: (m) => a.after(m) });
    }
    return out;
  };

  /** A mark that is the one wanted: this PR, this state, in this place. */
  const fits = (m: HTMLElement, w: ReturnType<typeof wanted>[number]) =>
    m.dataset.picklensPrNum === String(w.num) && m.dataset.picklensPrStatus === w.status && w.place(m);

  return () => {
    ensureStyle(document);
    const want = wanted();
    const existing = [...document.querySelectorAll<HTMLElement>('.picklens-pr')];
    for (const w of want) if (!existing.some((m) => fits(m, w))) w.put(mark(w.num, w.status));
    // Marks that are not where one is wanted (a copy, a stale state) go.
    for (const m of document.querySelectorAll<HTMLElement>('.picklens-pr'))
      if (!want.some((w) => fits(m, w))) m.remove();
  };
}

export const prMarks: Feature = {
  id: 'pr-marks',
  setting: 'prMarks',
  include: (info) => info.page === 'discussions' || info.page === 'discussion',
  start,
};
