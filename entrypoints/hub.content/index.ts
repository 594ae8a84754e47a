// The content script on huggingface.co: page views and their features (page-views.ts), one feature per
// file, each a function of the DOM it finds; the user's settings decide which features run.
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { send } from '@/lib/messaging-client';
import { FEATURES } from './features/all';
import { runFeatures } from './page-views';
import { setConcurrency } from './verdicts';

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  async main(ctx) {
    const settings = await send('getSettings', {}).catch(() => DEFAULT_SETTINGS);
    setConcurrency(settings.concurrency);
    runFeatures(ctx, settings, FEATURES);
  },
});
