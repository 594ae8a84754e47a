// The background worker: the only owner of IndexedDB and the only caller of the Hub API (DESIGN.md). The
// listener is thin: it routes each message of lib/messaging.ts to a plain handler and wraps the reply.
import {
  handleClearData,
  handleGetSettings,
  handleGetVerdict,
  handleSetSettings,
  handleLogVisit,
  handlePutVerdict,
  handleReadRange,
  handleRepoCode,
  handleRepoFiles,
  handleRepoView,
  refreshConversionPrsOnce,
} from '@/lib/background/handlers';
import { TreeEntries } from '@/lib/background/tree-entries';
import { BatchRunner } from '@/lib/background/batch';
import { Collector } from '@/lib/background/collect';
import { Verifier } from '@/lib/background/verify';
import { hubVerdictReader, resolverGovernor } from '@/lib/background/history';
import { openPicklensDb, repoKey, type PicklensDb } from '@/lib/db/schema';
import { HubApi, type RateGovernor } from '@/lib/hub/api';
import { hubErrorCode } from '@/lib/hub/errors';
import { MAX_WAIT_MS } from '@/lib/hub/retry';
import type { Envelope, Message } from '@/lib/messaging';

/** A repo's PRs are fetched again at most this often from visits (pages that show PRs always refresh). */
const REFRESH_EVERY_MS = 60_000;
const lastRefresh = new Map<string, number>();
function shouldRefresh(key: string, now = Date.now()): boolean {
  if (now - (lastRefresh.get(key) ?? -Infinity) < REFRESH_EVERY_MS) return false;
  lastRefresh.set(key, now);
  return true;
}

interface Services {
  db: PicklensDb;
  api: HubApi;
  collector: Collector;
  batch: BatchRunner;
  trees: TreeEntries;
  /** The resolver budget, shared by the history's reads and every tab's (for a 429's wait). */
  resolvers: RateGovernor;
  verifier: Verifier;
}

/** Anchors of the help page: a risk or a finding code (lib/formats/explain.ts), nothing else. */
const HELP_ANCHOR = /^(risk|finding)-[a-z0-9-]{1,60}$/;

async function dispatch(
  { db, api, collector, batch, trees, resolvers, verifier }: Services,
  msg: Message,
  tabId: number | undefined,
): Promise<unknown> {
  switch (msg.type) {
    case 'openHelp': {
      const anchor = HELP_ANCHOR.test(msg.data.anchor) ? `#${msg.data.anchor}` : '';
      await browser.tabs.create({ url: `${browser.runtime.getURL('/help.html')}${anchor}` });
      return true;
    }
    case 'tabRisks': {
      // The toolbar badge of the tab that asked: no permission needed for one's own action (no "tabs").
      if (tabId === undefined) return true;
      const n = Math.max(0, Math.floor(msg.data.dangerous));
      await browser.action.setBadgeText({ tabId, text: n ? String(Math.min(n, 999)) : '' });
      await browser.action.setBadgeBackgroundColor({ tabId, color: '#b91c1c' });
      await browser.action.setTitle({
        tabId,
        title: n ? `Picklens: ${n} dangerous file${n === 1 ? '' : 's'} on this page` : 'Picklens',
      });
      return true;
    }
    case 'getVerdict':
      return handleGetVerdict(db, msg.data.contentKey);
    case 'putVerdict':
      return handlePutVerdict(db, msg.data);
    case 'logVisit': {
      const logged = await handleLogVisit(db, msg.data);
      // Every visited repo's conversion PRs are refreshed (throttled per repo; the API governor keeps the
      // calls within the budget); a status change becomes a new history entry.
      if (shouldRefresh(repoKey(msg.data.repo.type, msg.data.repo.id))) {
        void refreshConversionPrsOnce(db, api, msg.data.repo).catch((e: unknown) =>
          console.warn('picklens: PR refresh', e),
        );
      }
      return logged;
    }
    case 'repoFiles':
      return handleRepoFiles(api, msg.data.repo, msg.data.rev);
    case 'treeEntries':
      return trees.lookup(msg.data.repo, msg.data.rev, msg.data.paths.slice(0, 10_000));
    case 'resolverWait':
      return resolvers.waitMs;
    case 'noteRateLimit':
      resolvers.block(Math.min(MAX_WAIT_MS, Math.max(0, msg.data.waitMs)));
      return true;
    case 'readRange':
      return handleReadRange(msg.data, { endpoint: api.endpoint, credentials: 'include' });
    case 'getSettings':
      return handleGetSettings(db);
    case 'setSettings':
      return handleSetSettings(db, msg.data);
    case 'clearData':
      return handleClearData(db);
    case 'refreshConversionPrs':
      lastRefresh.set(repoKey(msg.data.repo.type, msg.data.repo.id), Date.now());
      return refreshConversionPrsOnce(db, api, msg.data.repo);
    case 'verifyPr':
      return verifier.verify(msg.data.repo, msg.data.num, msg.data.again === true);
    case 'verifyProgress':
      return verifier.progress(msg.data.repo, msg.data.num);
    case 'repoView':
      return handleRepoView(db, msg.data.repo);
    case 'repoCode':
      return handleRepoCode(
        api,
        msg.data.repo,
        msg.data.rev,
        { endpoint: api.endpoint, credentials: 'include', governor: resolvers },
        msg.data.code,
      );
    case 'collectRepo':
      return collector.collect(msg.data.repo);
    case 'collectProgress':
      return collector.progress(msg.data.repo);
    case 'batchStart':
      return batch.start(msg.data.text, msg.data.exhaustive === true);
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
  let collector: Collector | undefined;
  // A wait for the rate-limit window shows in the progress of every collection in flight.
  const api = new HubApi({ credentials: 'include', onWait: (ms, why) => collector?.note(why, ms) });
  const services = db.then((d): Services => {
    const resolvers = resolverGovernor();
    const reader = hubVerdictReader(api.endpoint, {
      credentials: 'include',
      governor: resolvers,
      onWait: (ms, why) => collector?.note(why, ms),
    });
    collector = new Collector(d, api, reader, (key) => lastRefresh.set(key, Date.now()));
    const c = collector;
    const batch = new BatchRunner(d, (repo, signal, onProgress, exhaustive) =>
      c.collect(repo, signal, onProgress, exhaustive),
    );
    batch.kick(); // a batch left running (the worker was stopped, the browser restarted) goes on
    return {
      db: d,
      api,
      collector: c,
      batch,
      trees: new TreeEntries(api),
      resolvers,
      verifier: new Verifier(d, api, resolvers),
    };
  });
  // Registered so the browser starts the worker when it starts: a batch left running goes on (kick above).
  browser.runtime.onStartup.addListener(() => undefined);
  browser.runtime.onMessage.addListener(
    (msg: Message, sender, sendResponse: (r: Envelope<unknown>) => void) => {
      services
        .then((s) => dispatch(s, msg, sender.tab?.id))
        .then(
          (value) => sendResponse({ ok: true, value }),
          (e: unknown) => {
            const code = hubErrorCode(e);
            sendResponse({
              ok: false,
              error: e instanceof Error ? e.message : String(e),
              ...(code ? { code } : {}),
            });
          },
        );
      return true; // the reply comes asynchronously
    },
  );
});
