// The content script on huggingface.co: detects the page and starts its features, one per file, each
// scoped by WXT's context signal; one feature's error never breaks another. The user's settings decide
// which features run.
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { initBlobPanel } from './features/blob-panel';
import { initPrMarks } from './features/pr-marks';
import { initRepoChip } from './features/repo-chip';
import { initTreeBadges } from './features/tree-badges';
import { send } from '@/lib/messaging-client';
import { setConcurrency } from './verdicts';

const FEATURES: {
  id: string;
  setting: keyof Settings;
  init: (signal: AbortSignal, settings: Settings) => void;
}[] = [
  { id: 'tree-badges', setting: 'treeBadges', init: initTreeBadges },
  { id: 'repo-chip', setting: 'repoChip', init: initRepoChip },
  { id: 'blob-panel', setting: 'blobPanel', init: initBlobPanel },
  { id: 'pr-marks', setting: 'prMarks', init: initPrMarks },
];

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  async main(ctx) {
    const settings = await send('getSettings', {}).catch(() => DEFAULT_SETTINGS);
    setConcurrency(settings.concurrency);
    const started: string[] = [];
    for (const f of FEATURES) {
      if (!settings[f.setting]) continue;
      try {
        f.init(ctx.signal, settings);
        started.push(f.id);
      } catch (e) {
        console.warn(`picklens: feature ${f.id} failed`, e);
      }
    }
    // What ran, for the curious and for tests (a positive signal, where absence would need a timeout).
    document.documentElement.dataset.picklens = started.join(' ') || 'none';
    ctx.onInvalidated(() => delete document.documentElement.dataset.picklens);
  },
});
