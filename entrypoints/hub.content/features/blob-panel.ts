// Blob page: a verdict panel by the file header. The content key comes from the page's own "Git LFS
// Details" (SHA256) when the file is in LFS; the verdict as on the tree page.
import { contentKeyOf } from '@/lib/hub/content-key';
import { isModelFile } from '@/lib/hub/model-files';
import { parseHubUrl } from '@/lib/hub/url';
import { send } from '@/lib/messaging-client';
import { createBadge } from '../badge';
import { verdictOf } from '../verdicts';

export function initBlobPanel(signal: AbortSignal): void {
  const info = parseHubUrl(location.href);
  if (info?.page !== 'blob' || !info.path || !document.body.classList.contains('ViewerBlobPage')) return;
  const path = info.path;
  void send('logVisit', { repo: info.repo, url: location.href, page: 'blob' }).catch(() => undefined);
  if (!isModelFile(path, 1024 * 1024)) return;
  const sha = /SHA256:\s*([0-9a-f]{64})/.exec(document.body.textContent ?? '')?.[1];
  const badge = createBadge(document, path);
  badge.root.classList.add('picklens-inline');
  const box = document.createElement('section');
  box.className = 'picklens-blob';
  box.setAttribute('aria-label', 'Picklens verdict');
  box.append(badge.root);
  const anchor =
    document.querySelector('[data-target="ViewerHeader"]') ??
    document.querySelector('main section') ??
    document.body.firstElementChild;
  anchor?.after(box);
  verdictOf(
    info.repo,
    info.rev ?? 'main',
    path,
    undefined,
    contentKeyOf(sha ? { lfs: { oid: sha } } : undefined),
    signal,
  ).then(
    (v) => {
      badge.paint(v);
      // On the blob page the findings are the page's subject: the panel stays open.
      badge.root.querySelector<HTMLElement>('.picklens-panel')?.removeAttribute('hidden');
      badge.root.dataset.picklensPinned = 'true';
    },
    (e: unknown) => console.warn('picklens: blob panel', e),
  );
}
