// The background worker: the only owner of IndexedDB and the only caller of the Hub API (DESIGN.md).
import { ENGINE_VERSION } from '@/lib/formats/types';
// Issue 2 ships the shell; messaging, storage and the Hub client arrive with issues 4 and 5.
export default defineBackground(() => {
  // Nothing runs at module top level: WXT imports entrypoints in Node to build the manifest.
  browser.runtime.onInstalled.addListener(() => {
    console.info('Picklens installed, engine', ENGINE_VERSION);
  });
});
