// Verdicts for the content script's features: the background's cache by content key first; then the
// file's own first bytes, read same-origin from the page by the engine, which is loaded on demand (a page
// whose verdicts are all cached never loads it). A verdict from a failed read is not remembered.
import { send } from '@/lib/messaging-client';
import { withName } from '@/lib/formats/names';
import type { Verdict } from '@/lib/formats/types';
import type { RepoRef } from '@/lib/hub/url';

type Engine = typeof import('@/lib/content-engine');

let enginePromise: Promise<Engine> | undefined;
let concurrency = 6;
let limiter: InstanceType<Engine['Limiter']> | undefined;

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

export async function verdictOf(
  repo: RepoRef,
  rev: string,
  path: string,
  size: number | undefined,
  contentKey: string | undefined,
  signal: AbortSignal,
): Promise<Verdict> {
  // Cached verdicts are of the bytes alone; the name's findings are added here (lib/formats/names.ts).
  const known = contentKey ? await send('getVerdict', { contentKey }).catch(() => null) : null;
  if (known) return withName(known, path);
  const engine = await loadEngine();
  limiter ??= new engine.Limiter(concurrency);
  const src = new engine.HubFileSource({ endpoint: location.origin, repo, rev, path, size, limiter, signal });
  const v = await engine.classifyContent(src, { name: path });
  if (contentKey && !engine.fromFailedRead(v)) {
    void send('putVerdict', { contentKey, verdict: v, repo, rev, path }).catch(() => undefined);
  }
  return withName(v, path);
}
