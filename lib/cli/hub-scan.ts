// `npm run scan -- --hub ORG/NAME[@REV]`: every model file of a Hub repo, read with Range requests.
import { classify } from '../formats/classify';
import type { Verdict } from '../formats/types';
import { HubApi, type TreeEntry } from '../hub/api';
import { HubError } from '../hub/errors';
import { HubFileSource, Limiter, type FetchLike } from '../hub/http-source';
import { isModelFile } from '../hub/model-files';
import type { RepoRef } from '../hub/url';

/** Files read at once: a few, as a browser would. */
const HUB_CONCURRENCY = 4;

export function parseRepoArg(arg: string): { repo: RepoRef; rev: string } | undefined {
  const [path = '', rev = 'main'] = arg.split('@');
  const parts = path.split('/').filter(Boolean);
  let type: RepoRef['type'] = 'model';
  if (parts[0] === 'datasets' || parts[0] === 'spaces')
    type = parts.shift() === 'datasets' ? 'dataset' : 'space';
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => /^[\w.-]+$/.test(p))) return undefined;
  return { repo: { type, id: parts.join('/') }, rev };
}

interface HubScanResult {
  path: string;
  verdict: Verdict;
}

export async function scanHubRepo(
  repo: RepoRef,
  rev: string,
  opts: {
    endpoint: string;
    fetch?: FetchLike;
    all?: boolean;
    /** Files read at once (default HUB_CONCURRENCY; a browser over HTTP/2 reads a whole page's at once). */
    concurrency?: number;
    onProgress?: (done: number, total: number, path: string) => void;
    onWait?: (ms: number, why: string) => void;
  },
): Promise<HubScanResult[]> {
  const api = new HubApi({ endpoint: opts.endpoint, fetch: opts.fetch, onWait: opts.onWait });
  const entries: TreeEntry[] = [];
  for await (const e of api.tree(repo, rev))
    if (e.type === 'file' && isModelFile(e.path, e.size, opts.all)) entries.push(e);
  const limiter = new Limiter(opts.concurrency ?? HUB_CONCURRENCY);
  let done = 0;
  const results = await Promise.all(
    entries.map(async (e) => {
      const src = new HubFileSource({
        endpoint: opts.endpoint,
        repo,
        rev,
        path: e.path,
        size: e.size,
        fetch: opts.fetch,
        limiter,
        onWait: opts.onWait,
      });
      const verdict = await classify(src, { name: e.path });
      opts.onProgress?.(++done, entries.length, e.path);
      return { path: e.path, verdict };
    }),
  );
  return results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function describeHubError(e: unknown): string {
  return e instanceof HubError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}
