// The Hub API client (HUB.md "API endpoints"): model info, tree, commits, refs, discussions and their
// details, with pagination by Link header (tree, commits) or by p/count/start (discussions), typed
// results, HubError failures, and a rate-limit governor shared by every caller.
import { HubError, errorFromResponse, retryAfterMs } from './errors';
import { DEFAULT_ENDPOINT, type FetchLike } from './http-source';
import { sleep, withRetries, type RetryOptions, type WaitingError } from './retry';
import type { RepoRef } from './url';

export interface TreeEntry {
  type: 'file' | 'directory';
  path: string;
  oid: string;
  size: number;
  lfs?: { oid: string; size: number; pointerSize: number };
}

interface Sibling {
  rfilename: string;
  size?: number;
  blobId?: string;
  lfs?: { size: number; sha256: string; pointerSize: number };
}

interface ModelInfo {
  id: string;
  sha: string;
  lastModified?: string;
  createdAt?: string;
  private: boolean;
  gated: false | 'auto' | 'manual';
  siblings: Sibling[];
}

export interface CommitInfo {
  id: string;
  title: string;
  message: string;
  authors: { user: string }[];
  date: string;
}

type DiscussionStatus = 'draft' | 'open' | 'closed' | 'merged';

interface DiscussionSummary {
  num: number;
  title: string;
  status: DiscussionStatus;
  isPullRequest: boolean;
  author: { name: string };
  createdAt: string;
  numComments?: number;
}

interface DiscussionEvent {
  id: string;
  type: string;
  createdAt: string;
  /** Absent for a deleted account; `isHf` marks Hugging Face staff (DESIGN.md, the study's definitions). */
  author?: { name: string; isHf?: boolean };
  data?: { status?: DiscussionStatus; subject?: string; oid?: string };
}

interface DiscussionDetail extends DiscussionSummary {
  changes?: { base: string; mergeCommitId?: string; headCommitId?: string; refDeleted?: boolean };
  events: DiscussionEvent[];
}

interface Refs {
  branches: { name: string; ref: string; targetCommit: string }[];
  tags: { name: string; ref: string; targetCommit: string }[];
  pullRequests?: { name: string; ref: string; targetCommit: string }[];
}

/** Pages followed at most, whatever the server says: a loop in Link headers cannot run forever. */
const MAX_PAGES = 10_000;

/**
 * Keeps calls within one of the Hub's budgets (anonymous, per 5 minutes: 500 API calls, 3,000 resolver
 * requests; HUB.md "Limits"). A response's `RateLimit: "<kind>";r=<remaining>;t=<seconds to reset>` updates
 * it; when the remaining calls reach the reserve, callers wait for the window to reset instead of running
 * into 429s. (A file read ends at the CDN, whose response does not carry the Hub's header: the resolver
 * budget is counted locally.)
 */
export class RateGovernor {
  private remaining: number;
  private resetAt: number;
  /** A 429 asked every caller of this budget to wait until then (Retry-After), whichever tab got it. */
  private blockedUntil = 0;

  constructor(
    private readonly quota = 500,
    private readonly windowMs = 300_000,
    /** Calls left untouched for other tabs and the user's own browsing. */
    private readonly reserve = 10,
    private readonly now: () => number = () => Date.now(),
    /** Which budget of the RateLimit header this one follows. */
    private readonly kind: 'api' | 'resolvers' = 'api',
  ) {
    this.remaining = quota;
    this.resetAt = now() + windowMs;
  }

  /** Every caller waits `ms` from now (a 429's Retry-After, seen here or reported by a tab). */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + Math.max(0, ms));
  }

  /** How long a caller must wait before its next request (0: it may go now). */
  get waitMs(): number {
    return Math.max(0, this.blockedUntil - this.now());
  }

  /** Waits, if needed, then counts one call. */
  async acquire(signal?: AbortSignal, onWait?: (ms: number, why: string) => void): Promise<void> {
    const blocked = this.waitMs;
    if (blocked > 0) {
      onWait?.(blocked, `rate limited; waiting ${Math.ceil(blocked / 1000)} s as the Hub asked`);
      await sleep(blocked, signal);
    }
    // The window (ours, or the one a RateLimit header announced) is over: a full quota again. (Giving only
    // the reserve back here left a batch waiting a whole window after any 429 whose header said r=0.)
    if (this.now() >= this.resetAt) {
      this.resetAt = this.now() + this.windowMs;
      this.remaining = Math.max(this.remaining, this.quota);
    }
    if (this.remaining <= this.reserve) {
      const wait = Math.max(0, this.resetAt - this.now());
      onWait?.(wait, `the API budget is spent; waiting ${Math.ceil(wait / 1000)} s for the window to reset`);
      await sleep(wait, signal);
      this.remaining = this.quota;
      this.resetAt = this.now() + this.windowMs;
    }
    this.remaining--;
  }

  observe(res: Response): void {
    if (res.status === 429) this.block(retryAfterMs(res) ?? 1000);
    const m = new RegExp(`"${this.kind}";\\s*r=(\\d+);\\s*t=(\\d+)`).exec(res.headers.get('ratelimit') ?? '');
    if (!m) return;
    this.remaining = Number(m[1]);
    this.resetAt = this.now() + Number(m[2]) * 1000;
  }

  get left(): number {
    return this.remaining;
  }
}

interface HubApiOptions extends RetryOptions {
  endpoint?: string;
  fetch?: FetchLike;
  credentials?: RequestCredentials;
  governor?: RateGovernor;
}

function apiBase(endpoint: string, repo: RepoRef): string {
  const kind = repo.type === 'dataset' ? 'datasets' : repo.type === 'space' ? 'spaces' : 'models';
  return `${endpoint.replace(/\/$/, '')}/api/${kind}/${repo.id}`;
}

function nextLink(res: Response): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
}

export class HubApi {
  readonly endpoint: string;
  readonly governor: RateGovernor;
  /** API calls made (retries included). */
  calls = 0;
  private readonly fetch: FetchLike;

  constructor(private readonly opts: HubApiOptions = {}) {
    this.endpoint = opts.endpoint ?? DEFAULT_ENDPOINT;
    this.governor = opts.governor ?? new RateGovernor();
    this.fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** GET a JSON document; with retries for 5xx, resets and 429 (honouring the wait asked for). */
  private async get(url: string): Promise<Response> {
    return withRetries(
      url,
      async () => {
        await this.governor.acquire(this.opts.signal, this.opts.onWait);
        this.calls++;
        const res = await this.fetch(url, {
          headers: { Accept: 'application/json' },
          credentials: this.opts.credentials ?? 'same-origin',
          signal: this.opts.signal,
        });
        this.governor.observe(res);
        if (res.ok) return res;
        const err: WaitingError = errorFromResponse(res, new URL(url).pathname);
        if (res.status === 429) err.waitMs = retryAfterMs(res);
        await res.body?.cancel().catch(() => undefined);
        throw err;
      },
      this.opts,
    );
  }

  private async json<T>(url: string): Promise<{ body: T; res: Response }> {
    const res = await this.get(url);
    try {
      return { body: (await res.json()) as T, res };
    } catch (e) {
      throw new HubError(
        'bad-response',
        `${new URL(url).pathname}: not JSON (${e instanceof Error ? e.message : String(e)})`,
        res.status,
      );
    }
  }

  /** Pages of an array endpoint, one call each, following `Link: <…>; rel="next"`. */
  private async *linkedPages<T>(first: string): AsyncGenerator<T[]> {
    let url: string | undefined = first;
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const { body, res }: { body: T[]; res: Response } = await this.json<T[]>(url);
      if (!Array.isArray(body)) throw new HubError('bad-response', `${new URL(url).pathname}: not a list`);
      yield body;
      const next = nextLink(res);
      url = next ? new URL(next, url).toString() : undefined;
    }
  }

  private async *linked<T>(first: string): AsyncGenerator<T> {
    for await (const page of this.linkedPages<T>(first)) yield* page;
  }

  async modelInfo(repo: RepoRef, rev?: string): Promise<ModelInfo> {
    const url = `${apiBase(this.endpoint, repo)}${rev ? `/revision/${encodeURIComponent(rev)}` : ''}?blobs=true`;
    return (await this.json<ModelInfo>(url)).body;
  }

  tree(repo: RepoRef, rev = 'main', path = '', recursive = true): AsyncGenerator<TreeEntry> {
    return this.linked<TreeEntry>(this.treeUrl(repo, rev, path, recursive));
  }

  /** The tree a page (one API call) at a time: for callers that stop at a budget of calls. */
  treePages(repo: RepoRef, rev = 'main', path = '', recursive = true): AsyncGenerator<TreeEntry[]> {
    return this.linkedPages<TreeEntry>(this.treeUrl(repo, rev, path, recursive));
  }

  private treeUrl(repo: RepoRef, rev: string, path: string, recursive: boolean): string {
    const dir = path ? `/${path.split('/').map(encodeURIComponent).join('/')}` : '';
    return `${apiBase(this.endpoint, repo)}/tree/${encodeURIComponent(rev)}${dir}?recursive=${recursive}&expand=false`;
  }

  /** Newest first; `limit` per page (HUB.md: default 50, at most 1000). */
  commits(repo: RepoRef, rev = 'main', limit?: number): AsyncGenerator<CommitInfo> {
    const q = limit ? `?limit=${limit}` : '';
    return this.linked<CommitInfo>(`${apiBase(this.endpoint, repo)}/commits/${encodeURIComponent(rev)}${q}`);
  }

  async refs(repo: RepoRef): Promise<Refs> {
    return (await this.json<Refs>(`${apiBase(this.endpoint, repo)}/refs?include_prs=1`)).body;
  }

  /** Discussions, paged with p= until start + page length reaches count (HUB.md). */
  async *discussions(
    repo: RepoRef,
    filter: {
      type?: 'pull_request' | 'discussion';
      status?: 'all' | 'open' | 'closed';
      author?: string;
    } = {},
  ): AsyncGenerator<DiscussionSummary> {
    for (let p = 0; p < MAX_PAGES; p++) {
      const q = new URLSearchParams({ p: String(p), status: filter.status ?? 'all' });
      if (filter.type) q.set('type', filter.type);
      if (filter.author) q.set('author', filter.author);
      const { body } = await this.json<{ discussions: DiscussionSummary[]; count: number; start: number }>(
        `${apiBase(this.endpoint, repo)}/discussions?${q.toString()}`,
      );
      yield* body.discussions;
      if (!body.discussions.length || body.start + body.discussions.length >= body.count) return;
    }
  }

  async discussion(repo: RepoRef, num: number): Promise<DiscussionDetail> {
    return (await this.json<DiscussionDetail>(`${apiBase(this.endpoint, repo)}/discussions/${num}`)).body;
  }
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
