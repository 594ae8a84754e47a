// One retry policy for every Hub request: 5xx, resets and 429s are retried a bounded number of times, with
// exponential backoff or the wait the server asked for; everything else fails at once.
import { HubError } from './errors';

/** Retries of a 5xx, a reset or a 429 before the error is reported. */
const MAX_RETRIES = 3;
/** The longest single wait: beyond it the request fails (the caller may come back later). */
/** Why a request is retried, as the progress says it. */
const RETRY_WORDS = {
  'rate-limited': 'rate limited: the Hub asked to wait',
  'server-error': 'the Hub had an error; trying again',
  network: 'the connection failed; trying again',
  'bogus-range': 'a file server glitch; trying again',
} as const;

export const MAX_WAIT_MS = 60_000;

export interface RetryOptions {
  signal?: AbortSignal;
  /** Backoff base in ms (tests set it small). */
  backoffMs?: number;
  /** Called before each wait, for progress messages. */
  onWait?: (ms: number, why: string) => void;
}

/** A HubError that carries the wait the server asked for (Retry-After, RateLimit t=). */
export type WaitingError = HubError & { waitMs?: number };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new HubError('aborted', 'aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new HubError('aborted', 'aborted'));
      },
      { once: true },
    );
  });
}

export async function withRetries<T>(
  what: string,
  task: () => Promise<T>,
  opts: RetryOptions = {},
  /** Whether this failure may be retried here (default: every retriable code). */
  retryHere: (e: HubError) => boolean = () => true,
): Promise<T> {
  const backoff = opts.backoffMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (e) {
      const err: WaitingError =
        e instanceof HubError
          ? e
          : new HubError(
              opts.signal?.aborted ? 'aborted' : 'network',
              `${what}: ${e instanceof Error ? e.message : String(e)}`,
            );
      const retriable =
        err.code === 'server-error' ||
        err.code === 'network' ||
        err.code === 'rate-limited' ||
        err.code === 'bogus-range';
      if (!retriable || !retryHere(err) || attempt >= MAX_RETRIES) throw err;
      // A CDN's bogus 416 is a glitch of one answer (HUB.md "CloudFront quirks"): retried sooner.
      const base = err.code === 'bogus-range' ? backoff / 5 : backoff;
      const wait = Math.min(MAX_WAIT_MS, err.waitMs ?? base * 2 ** attempt);
      // Said for people (progress lines): why, in words, never the request's path.
      opts.onWait?.(wait, RETRY_WORDS[err.code] ?? 'trying again');
      await sleep(wait, opts.signal);
    }
  }
}
