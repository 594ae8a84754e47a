// Blob page: a verdict panel by the file header. The content key comes from the page's own "Git LFS
// Details" (SHA256) when the file is in LFS; the verdict as on the tree page. The panel goes after the
// header island, outside every island, and is put back if a re-render or a swapped page drops it.
import { contentKeyOf } from '@/lib/hub/content-key';
import { isModelFile } from '@/lib/hub/model-files';
import { SELECTORS } from '@/lib/hub/selectors';
import { createBadge, removeCopies } from '../badge';
import type { Feature, PageView } from '../page-views';
import { verdictOf } from '../verdicts';

function start(view: PageView): () => void {
  const { info, signal } = view;
  const path = info.path ?? '';
  if (!isModelFile(path, 1024 * 1024) || !document.querySelector(SELECTORS.blobPage)) return () => undefined;
  const sha = /SHA256:\s*([0-9a-f]{64})/.exec(document.body.textContent ?? '')?.[1];
  const badge = createBadge(document, path);
  badge.root.classList.add('picklens-inline');
  // On the blob page the findings are the page's subject: the panel stays open.
  badge.root.dataset.picklensPinned = 'true';
  const box = document.createElement('section');
  box.className = 'picklens-blob';
  box.setAttribute('aria-label', 'Picklens verdict');
  box.append(badge.root);
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
      badge.root.querySelector<HTMLElement>('.picklens-panel')?.removeAttribute('hidden');
      view.repaint();
    },
    (e: unknown) => console.warn('picklens: blob panel', e),
  );
  return () => {
    removeCopies(document, '.picklens-blob', box);
    const anchor =
      document.querySelector(SELECTORS.blobHeader) ??
      document.querySelector('main section') ??
      document.body.firstElementChild;
    if (anchor && anchor.nextElementSibling !== box) anchor.after(box);
  };
}

export const blobPanel: Feature = {
  id: 'blob-panel',
  setting: 'blobPanel',
  include: (info) => info.page === 'blob',
  start,
};
