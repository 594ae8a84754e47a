// Discussions list and PR pages: SFconvertbot conversion PRs marked with their state. The states come from
// the background (which records every change it sees); the PR page also reads its own header island.
import { parseHubUrl } from '@/lib/hub/url';
import { ensureStyle } from '../badge';
import { send } from '@/lib/messaging-client';

function mark(status: string): HTMLElement {
  const m = document.createElement('span');
  m.className = 'picklens-chip picklens-pr';
  m.dataset.picklensPrStatus = status;
  m.textContent = `SFconvertbot conversion · ${status}`;
  return m;
}

export function initPrMarks(signal: AbortSignal): void {
  const info = parseHubUrl(location.href);
  if (info?.page !== 'discussions' && info?.page !== 'discussion') return;
  ensureStyle(document);
  void send('logVisit', { repo: info.repo, url: location.href, page: info.page }).catch(() => undefined);
  void send('refreshConversionPrs', { repo: info.repo })
    .then((prs) => {
      if (signal.aborted) return;
      const byNum = new Map(prs.map((p) => [p.num, p.status]));
      if (info.page === 'discussion' && info.num !== undefined) {
        const status = byNum.get(info.num);
        const header = document.querySelector('[data-target="DiscussionHeader"] h1');
        if (status && header && !header.querySelector('.picklens-pr')) header.append(mark(status));
        return;
      }
      for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href*="/discussions/"]')) {
        const num = parseHubUrl(new URL(a.href, location.href))?.num;
        const status = num === undefined ? undefined : byNum.get(num);
        if (status && !a.parentElement?.querySelector('.picklens-pr')) a.after(mark(status));
      }
    })
    .catch((e: unknown) => console.warn('picklens: PR marks', e));
}
