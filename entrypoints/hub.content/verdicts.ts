// Verdicts for the content script's features: the background's cache by content key first; then the
// file's own first bytes, read same-origin from the page by the engine, which is loaded on demand (a page
// whose verdicts are all cached never loads it). A read that fails in the page without an answer (a CDN
// error without CORS headers) is made again by the background. A verdict from a failed read is not
// remembered beyond this document. Each file is read at most once per document: re-renders, repaired
// badges and the chip asking for a file the tree already read all share one promise.
import { base64ToBytes } from '@/lib/base64';
import { send } from '@/lib/messaging-client';
import { withName } from '@/lib/formats/names';
import type { Verdict } from '@/lib/formats/types';
import { retryAfterMs } from '@/lib/hub/errors';
import type { ReadGate } from '@/lib/hub/http-source';
import { sleep } from '@/lib/hub/retry';
import { repoPath, type RepoRef } from '@/lib/hub/url';

type Engine = typeof import('@/lib/content-engine');

let enginePromise: Promise<Engine> | undefined;
let concurrency = 6;
let limiter: InstanceType<Engine['Limiter']> | undefined;
/** The verdicts of this document, by repo, revision and path (bounded: a very long session starts over). */
const seen = new Map<string, Promise<Verdict>>();
const MAX_SEEN = 5000;

/**
 * The page's reads and the Hub's rate limit: a 429 that any tab (or the background) got holds every tab's
 * reads for the wait it asked; the background keeps that wait (one budget for all tabs).
 */
const gate: ReadGate = {
  async acquire(signal) {
    const ms = await send('resolverWait', {}).catch(() => 0);
    if (ms > 0) await sleep(ms, signal);
  },
  observe(res) {
    if (res.status === 429)
      void send('noteRateLimit', { waitMs: retryAfterMs(res) ?? 1000 }).catch(() => true);
  },
};

function loadEngine(): Promise<Engine> {
  // The URL is the extension's own module (web-accessible to huggingface.co only, wxt.config.ts).
  // (WXT types getURL for the files it generated; engine.mjs is built beside them by a build hook.)
  const url = (browser.runtime.getURL as (path: string) => string)('/engine.mjs');
  if (!enginePromise) {
    enginePromise = import(/* @vite-ignore */ url) as Promise<Engine>;
    document.documentElement.dataset.picklensEngine = 'loaded';
  }
  return enginePromise;
}

/** Files read at once from one page (HTTP/2 multiplexes them); the settings may change it. */
export function setConcurrency(n: number): void {
  concurrency = n;
  limiter = undefined;
}

export function verdictOf(
  repo: RepoRef,
  rev: string,
  path: string,
  size: number | undefined,
  contentKey: string | undefined,
  signal: AbortSignal,
): Promise<Verdict> {
  const key = `${repoPath(repo)}@${rev}/${path}`;
  const known = seen.get(key);
  if (known) return known;
  if (seen.size >= MAX_SEEN) seen.clear();

  const read = async (): Promise<Verdict> => {
    // Cached verdicts are of the bytes alone; the name's findings are added here (lib/formats/names.ts).
    const cached = contentKey ? await send('getVerdict', { contentKey }).catch(() => null) : null;
    if (cached) return withName(cached, path);
    const engine = await loadEngine();
    limiter ??= new engine.Limiter(concurrency);
    const src = new engine.HubFileSource({
      endpoint: location.origin,
      repo,
      rev,
      path,
      size,
      limiter,
      signal,
      governor: gate,
      fallback: async (start, end) => base64ToBytes(await send('readRange', { repo, rev, path, start, end })),
    });
    const v = await engine.classifyContent(src, { name: path });
    if (contentKey && !engine.fromFailedRead(v)) {
      void send('putVerdict', { contentKey, verdict: v, repo, rev, path }).catch(() => undefined);
    }
    return withName(v, path);
  };

  const p = read();
  seen.set(key, p);
  // A read cut short by the end of its page view is not this document's answer for the file.
  p.then(
    () => signal.aborted && seen.get(key) === p && seen.delete(key),
    () => seen.get(key) === p && seen.delete(key),
  );
  return p;
}
