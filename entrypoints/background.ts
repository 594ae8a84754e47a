// The background worker: the only owner of IndexedDB and the only caller of the Hub API (DESIGN.md). The
// listener is thin: it routes each message of lib/messaging.ts to a plain handler and wraps the reply.
import {
  handleClearData,
  handleGetSettings,
  handleGetVerdict,
  handleSetSettings,
  handleLogVisit,
  handlePutVerdict,
  handleRefreshConversionPrs,
  handleRepoFiles,
  handleRepoView,
} from '@/lib/background/handlers';
import { BatchRunner } from '@/lib/background/batch';
import { collectHistory, hubVerdictReader, type HistoryProgress } from '@/lib/background/history';
import type { HistoryState } from '@/lib/db/schema';
import type { RepoRef } from '@/lib/hub/url';
import { openPicklensDb, repoKey, type PicklensDb } from '@/lib/db/schema';
import { HubApi } from '@/lib/hub/api';
import type { Envelope, Message } from '@/lib/messaging';

/** A repo's PRs are fetched again at most this often from visits (pages that show PRs always refresh). */
const REFRESH_EVERY_MS = 60_000;
const lastRefresh = new Map<string, number>();
function shouldRefresh(key: string, now = Date.now()): boolean {
  if (now - (lastRefresh.get(key) ?? -Infinity) < REFRESH_EVERY_MS) return false;
  lastRefresh.set(key, now);
  return true;
}

/** Collections in progress, by repo key: a second request for the same repo joins the first. */
const collecting = new Map<string, { done: Promise<HistoryState>; progress: HistoryProgress | null }>();

function collectRepo(
  db: PicklensDb,
  api: HubApi,
  repo: RepoRef,
  signal?: AbortSignal,
  onProgress?: (p: HistoryProgress) => void,
): Promise<HistoryState> {
  const key = repoKey(repo.type, repo.id);
  const running = collecting.get(key);
  if (running) return running.done;
  const entry: { done: Promise<HistoryState>; progress: HistoryProgress | null } = {
    done: Promise.resolve(null as unknown as HistoryState),
    progress: null,
  };
  entry.done = (async () => {
    lastRefresh.set(key, Date.now());
    await handleRefreshConversionPrs(db, api, repo);
    return collectHistory(db, api, repo, {
      readVerdict: hubVerdictReader(api.endpoint, { credentials: 'include' }),
      signal,
      onProgress: (p) => {
        entry.progress = p;
        onProgress?.(p);
      },
    });
  })().finally(() => collecting.delete(key));
  collecting.set(key, entry);
  return entry.done;
}

async function dispatch(db: PicklensDb, api: HubApi, batch: BatchRunner, msg: Message): Promise<unknown> {
  switch (msg.type) {
    case 'getVerdict':
      return handleGetVerdict(db, msg.data.contentKey);
    case 'putVerdict':
      return handlePutVerdict(db, msg.data);
    case 'logVisit': {
      const logged = await handleLogVisit(db, msg.data);
      // Every visited repo's conversion PRs are refreshed (throttled per repo; the API governor keeps the
      // calls within the budget); a status change becomes a new history entry.
      if (shouldRefresh(repoKey(msg.data.repo.type, msg.data.repo.id))) {
        void handleRefreshConversionPrs(db, api, msg.data.repo).catch((e: unknown) =>
          console.warn('picklens: PR refresh', e),
        );
      }
      return logged;
    }
    case 'repoFiles':
      return handleRepoFiles(api, msg.data.repo, msg.data.rev);
    case 'getSettings':
      return handleGetSettings(db);
    case 'setSettings':
      return handleSetSettings(db, msg.data);
    case 'clearData':
      return handleClearData(db);
    case 'refreshConversionPrs':
      lastRefresh.set(repoKey(msg.data.repo.type, msg.data.repo.id), Date.now());
      return handleRefreshConversionPrs(db, api, msg.data.repo);
    case 'repoView':
      return handleRepoView(db, msg.data.repo);
    case 'collectRepo':
      return collectRepo(db, api, msg.data.repo);
    case 'collectProgress':
      return collecting.get(repoKey(msg.data.repo.type, msg.data.repo.id))?.progress ?? null;
    case 'batchStart':
      return batch.start(msg.data.text);
    case 'batchPause':
      return batch.pause();
    case 'batchResume':
      return batch.resume();
    case 'batchStatus':
      return batch.status();
  }
}

export default defineBackground(() => {
  // Nothing runs at module top level: WXT imports entrypoints in Node to build the manifest.
  const db = openPicklensDb();
  const api = new HubApi({ credentials: 'include' });
  const batch = db.then((d) => {
    const runner = new BatchRunner(d, (repo, signal, onProgress) =>
      collectRepo(d, api, repo, signal, onProgress),
    );
    runner.kick(); // a batch left running (the worker was stopped, the browser restarted) goes on
    return runner;
  });
  browser.runtime.onMessage.addListener(
    (msg: Message, _sender, sendResponse: (r: Envelope<unknown>) => void) => {
      Promise.all([db, batch])
        .then(([d, b]) => dispatch(d, api, b, msg))
        .then(
          (value) => sendResponse({ ok: true, value }),
          (e: unknown) => sendResponse({ ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
      return true; // the reply comes asynchronously
    },
  );
});
