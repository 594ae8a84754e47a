// The content script on huggingface.co: detects the page and starts its features, one per file, each
// scoped by an AbortSignal chained to WXT's context; one feature's error never breaks another.
import { initBlobPanel } from './features/blob-panel';
import { initPrMarks } from './features/pr-marks';
import { initRepoChip } from './features/repo-chip';
import { initTreeBadges } from './features/tree-badges';

const FEATURES: { id: string; init: (signal: AbortSignal) => void }[] = [
  { id: 'tree-badges', init: initTreeBadges },
  { id: 'repo-chip', init: initRepoChip },
  { id: 'blob-panel', init: initBlobPanel },
  { id: 'pr-marks', init: initPrMarks },
];

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  main(ctx) {
    document.documentElement.dataset.picklens = 'loaded';
    for (const f of FEATURES) {
      try {
        f.init(ctx.signal);
      } catch (e) {
        console.warn(`picklens: feature ${f.id} failed`, e);
      }
    }
    ctx.onInvalidated(() => delete document.documentElement.dataset.picklens);
  },
});
