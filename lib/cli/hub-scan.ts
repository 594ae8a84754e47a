// `npm run scan -- --hub ORG/NAME[@REV]`: every model file of a Hub repo, read with Range requests.
import { classify } from '../formats/classify';
import type { Verdict } from '../formats/types';
import { HubApi, type TreeEntry } from '../hub/api';
import { HubError } from '../hub/errors';
import type { RepoCode } from '../formats/repo-code';
import { HubFileSource, Limiter, type FetchLike } from '../hub/http-source';
import { isModelFile } from '../hub/model-files';
import { readRepoCode } from '../hub/repo-code';
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
): Promise<{ files: HubScanResult[]; code: RepoCode }> {
  const api = new HubApi({ endpoint: opts.endpoint, fetch: opts.fetch, onWait: opts.onWait });
  const listing: TreeEntry[] = [];
  for await (const e of api.tree(repo, rev)) if (e.type === 'file') listing.push(e);
  const entries = listing.filter((e) => isModelFile(e.path, e.size, opts.all));
  const limiter = new Limiter(opts.concurrency ?? HUB_CONCURRENCY);
  const open = (path: string, size: number) =>
    new HubFileSource({
      endpoint: opts.endpoint,
      repo,
      rev,
      path,
      size,
      fetch: opts.fetch,
      limiter,
      onWait: opts.onWait,
    });
  let done = 0;
  const [results, code] = await Promise.all([
    Promise.all(
      entries.map(async (e) => {
        const verdict = await classify(open(e.path, e.size), { name: e.path });
        opts.onProgress?.(++done, entries.length, e.path);
        return { path: e.path, verdict };
      }),
    ),
    readRepoCode(listing, open),
  ]);
  return { files: results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), code };
}

export function describeHubError(e: unknown): string {
  return e instanceof HubError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}
