// The content script on huggingface.co: page views and their features (page-views.ts), one feature per
// file, each a function of the DOM it finds; the user's settings decide which features run.
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { send } from '@/lib/messaging-client';
import { blobPanel } from './features/blob-panel';
import { prMarks } from './features/pr-marks';
import { repoChip } from './features/repo-chip';
import { treeBadges } from './features/tree-badges';
import { runFeatures } from './page-views';
import { setConcurrency } from './verdicts';

const FEATURES = [treeBadges, repoChip, blobPanel, prMarks];

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  async main(ctx) {
    const settings = await send('getSettings', {}).catch(() => DEFAULT_SETTINGS);
    setConcurrency(settings.concurrency);
    runFeatures(ctx, settings, FEATURES);
  },
});
