// A ByteSource over a Hub file's `resolve` URL, read with HTTP Range requests (huggingface.js WebBlob.ts is
// the model: learn the size from Content-Range, treat a 200 as "the server ignored the range" and stop
// reading once the bytes needed have arrived). Redirects to the CDN are followed by fetch itself (302/307,
// relative or absolute); Range is a CORS-safelisted header only as `bytes=N-M` with a start (Fetch spec),
// so suffix ranges are never sent: a tail read needs the size.
import type { ByteSource } from '../formats/types';
import { HubError, errorFromResponse, retryAfterMs } from './errors';
/** What a read asks before it goes, and shows of its answer: a RateGovernor has this shape. */
export interface ReadGate {
  acquire(signal?: AbortSignal, onWait?: (ms: number, why: string) => void): Promise<void>;
  observe(res: Response): void;
}
import { withRetries, type RetryOptions, type WaitingError } from './retry';

/** A fetch that failed without an answer: offline, reset, or (in a page) refused by CORS. */
function isFetchFailure(e: unknown): boolean {
  return e instanceof HubError && e.code === 'network';
}
import { HUB_ORIGIN, repoPath, type RepoRef } from './url';

/** The Hub's origin: one fact, in lib/hub/url.ts. */
export const DEFAULT_ENDPOINT = HUB_ORIGIN;
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A counting semaphore: at most `limit` requests in flight, shared by every source that holds it. */
export class Limiter {
  private active = 0;
  private queue: (() => void)[] = [];
  constructor(readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

export interface HubFileOptions extends RetryOptions {
  endpoint?: string;
  repo: RepoRef;
  rev: string;
  path: string;
  /** The file's size when known (tree API, page data): needed for tail reads before the first response. */
  size?: number;
  fetch?: FetchLike;
  /** 'include' from a content script (the user's session opens gated repos they may read). */
  credentials?: RequestCredentials;
  limiter?: Limiter;
  /**
   * The resolver budget: a RateGovernor for the reads of a long job (history collection); in a page, a gate
   * that asks the background how long to wait (a 429 seen by any tab holds every tab's reads).
   */
  governor?: ReadGate;
  /**
   * The same read made elsewhere, for a failure that may be the page's alone: in a content script a CDN
   * error without CORS headers reads as a network failure (HUB.md "Xet downloads"); the background worker,
   * which CORS does not bind, can make the read with the user's cookies.
   */
  fallback?: (start: number, end: number) => Promise<Uint8Array>;
  /**
   * Read again where the first read was redirected (the CDN's signed URL) instead of asking `resolve` each
   * time: one resolver call per file, however many ranges (a conversion check reads hundreds). The signed
   * URL expires (HUB.md "Xet downloads": `Expires=`); a read there that fails goes back to `resolve`.
   */
  pinRedirect?: boolean;
}

export function resolveUrl(endpoint: string, repo: RepoRef, rev: string, path: string): string {
  const file = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/$/, '')}/${repoPath(repo)}/resolve/${encodeURIComponent(rev)}/${file}`;
}

/** Reads bytes [skip, skip + n) from a body stream, then cancels it: a 200 is not downloaded whole. */
async function readPrefix(body: ReadableStream<Uint8Array>, skip: number, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let seen = 0;
  let got = 0;
  const reader = body.getReader();
  try {
    while (got < n) {
      const { done, value } = await reader.read();
      if (done) break;
      const from = Math.max(0, skip - seen);
      const to = Math.min(value.length, skip + n - seen);
      if (from < to) {
        out.set(value.subarray(from, to), got);
        got += to - from;
      }
      seen += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return out.subarray(0, got);
}

export class HubFileSource implements ByteSource {
  size: number | undefined;
  readonly url: string;
  /** What this source cost: requests sent (retries included) and body bytes received. */
  requests = 0;
  bytesReceived = 0;
  /** Reads that the fallback made after the page's own read failed. */
  viaFallback = 0;
  private readonly fetch: FetchLike;
  private inflight = new Map<string, Promise<Uint8Array>>();
  /** Where `resolve` sent the last read, kept with pinRedirect. */
  private pinned: string | undefined;

  constructor(private readonly opts: HubFileOptions) {
    this.url = resolveUrl(opts.endpoint ?? DEFAULT_ENDPOINT, opts.repo, opts.rev, opts.path);
    this.size = opts.size;
    this.fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Bytes [start, end); fewer at the end of the file. Throws HubError. */
  read(start: number, end: number): Promise<Uint8Array> {
    if (this.size !== undefined) end = Math.min(end, this.size);
    if (end <= start) return Promise.resolve(new Uint8Array(0));
    // Coalesce: the same range asked twice while the first is in flight is fetched once.
    const key = `${start}-${end}`;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = (
      this.opts.limiter
        ? this.opts.limiter.run(() => this.readWithRetries(start, end))
        : this.readWithRetries(start, end)
    ).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async readWithRetries(start: number, end: number): Promise<Uint8Array> {
    const fallback = this.opts.fallback;
    try {
      // With a fallback, a network failure goes to it at once: a CORS refusal would fail the same way every
      // time. Without one, it is retried like any transport failure.
      return await withRetries(
        this.opts.path,
        () => this.readOnce(start, end),
        this.opts,
        (e) => !fallback || !isFetchFailure(e),
      );
    } catch (e) {
      if (!fallback || !isFetchFailure(e) || this.opts.signal?.aborted) throw e;
      this.viaFallback++;
      const bytes = await fallback(start, end);
      this.bytesReceived += bytes.length;
      if (bytes.length < end - start && this.size === undefined) this.size = start + bytes.length;
      return bytes;
    }
  }

  private async readOnce(start: number, end: number): Promise<Uint8Array> {
    const pinned = this.pinned;
    if (pinned) {
      try {
        return await this.readFrom(pinned, start, end, true);
      } catch (e) {
        // A CDN fault (CloudFront's bogus 416, a 5xx) is retried where it happened; anything else (the
        // signature expired: 403; the object moved: 404) goes back to resolve, which signs a new URL.
        const transient = e instanceof HubError && (e.code === 'bogus-range' || e.code === 'server-error');
        if (this.opts.signal?.aborted || transient) throw e;
        this.pinned = undefined;
      }
    }
    return this.readFrom(this.url, start, end, false);
  }

  private async readFrom(url: string, start: number, end: number, direct: boolean): Promise<Uint8Array> {
    // The CDN's own URL costs nothing of the Hub's resolver budget, and needs no cookie (its CORS is `*`).
    if (!direct) await this.opts.governor?.acquire(this.opts.signal, this.opts.onWait);
    this.requests++;
    const res = await this.fetch(url, {
      headers: { Range: `bytes=${start}-${end - 1}` },
      credentials: direct ? 'omit' : (this.opts.credentials ?? 'same-origin'),
      signal: this.opts.signal,
      redirect: 'follow',
    });
    if (!direct) this.opts.governor?.observe(res);
    if (
      res.status === 206 &&
      this.opts.pinRedirect &&
      !direct &&
      res.redirected &&
      res.url &&
      res.url !== url
    )
      this.pinned = res.url;
    if (res.status === 206) {
      const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!cr || Number(cr[1]) !== start) {
        await res.body?.cancel();
        throw new HubError('bad-response', `${this.opts.path}: a 206 without a matching Content-Range`, 206);
      }
      if (cr[3] !== '*') this.size = Number(cr[3]);
      const bytes = new Uint8Array(await res.arrayBuffer());
      this.bytesReceived += bytes.length;
      return bytes.subarray(0, end - start);
    }
    if (res.status === 200) {
      // The server ignored the range (small files may be served whole, even gzipped): take what is needed.
      const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
      const length = Number(res.headers.get('content-length') ?? NaN);
      if (!encoded && Number.isFinite(length)) this.size = length;
      if (!res.body) return new Uint8Array(0);
      const bytes = await readPrefix(res.body, start, end - start);
      this.bytesReceived += start + bytes.length;
      if (bytes.length < end - start && this.size === undefined) this.size = start + bytes.length;
      return bytes;
    }
    if (res.status === 416) {
      // Past the end: the file is shorter than the start, and Content-Range says `bytes */total`. Unless
      // the total contradicts that (a total beyond the start, or another than the known size): CloudFront
      // sometimes answers 416 `bytes */177` for a large file (HUB.md "CloudFront quirks"). That is a fault
      // to retry, never the end of the file.
      const m = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
      const total = m === undefined ? undefined : Number(m);
      await res.body?.cancel().catch(() => undefined);
      if (total === undefined || total > start || (this.size !== undefined && total !== this.size))
        throw new HubError(
          'bogus-range',
          `${this.opts.path}: HTTP 416 with ${total === undefined ? 'no total' : `a total of ${total}`} for bytes ${start}-${end - 1}${this.size === undefined ? '' : ` of ${this.size}`}`,
          416,
        );
      this.size = total;
      return new Uint8Array(0);
    }
    const err = errorFromResponse(res, this.opts.path);
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 429) (err as WaitingError).waitMs = retryAfterMs(res);
    throw err;
  }
}
