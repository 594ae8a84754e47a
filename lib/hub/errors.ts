// Typed failures of talking to the Hub. Transport failures are not verdicts: they are not cached, and a
// retry may succeed (STYLE.md "a transport failure is not cached and is retried").
export type HubErrorCode =
  | 'gated' // 401/403 with X-Error-Code GatedRepo
  | 'unauthorized' // 401/403 otherwise (private repo, no access)
  | 'repo-not-found'
  | 'revision-not-found'
  | 'entry-not-found'
  | 'not-found'
  | 'rate-limited' // 429 after the retries allowed
  | 'server-error' // 5xx after the retries allowed
  | 'network' // the connection failed or was reset, after the retries allowed
  | 'aborted'
  | 'bogus-range' // a 416 whose total contradicts the request or the known size (a CDN fault): retried
  | 'bad-response'; // a status or header that makes no sense for the request

/**
 * Each code as a plain sentence for people (the popup, the stats page): what happened and what to do, naming
 * the repo, never an API path.
 */
export const HUB_ERROR_WORDS: Record<HubErrorCode, (repo: string) => string> = {
  gated: (r) => `The repo ${r} is gated: accept its conditions on its page (signed in), then try again.`,
  unauthorized: (r) =>
    `The Hub would not show ${r} to this browser: it may be private. Sign in, then try again.`,
  'repo-not-found': (r) => `There is no repo ${r} on the Hub, or it is private and you cannot see it.`,
  'revision-not-found': (r) => `That branch or commit does not exist in ${r}.`,
  'entry-not-found': (r) => `That file is not in ${r}.`,
  'not-found': (r) => `The Hub found nothing for ${r}.`,
  'rate-limited': (r) =>
    `The Hub asked us to slow down while reading ${r}: Picklens waits for the limit to reset and goes on.`,
  'server-error': (r) => `The Hub had an error while answering for ${r}; try again in a minute.`,
  network: (r) => `Could not reach the Hub for ${r}: check the connection, then try again.`,
  aborted: (r) => `Reading ${r} was stopped.`,
  'bogus-range': (r) => `The Hub's file server sent a wrong answer for a file of ${r}; try again.`,
  'bad-response': (r) => `The Hub answered something unexpected for ${r}; try again later.`,
};

const CODES = new Set(Object.keys(HUB_ERROR_WORDS));

/** The HubErrorCode an error carries (a HubError, or an error from a message that kept it), if any. */
export function hubErrorCode(e: unknown): HubErrorCode | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CODES.has(code) ? (code as HubErrorCode) : undefined;
}

/** A plain sentence for any failure about a repo: the code's words, else a short generic sentence. */
export function plainError(e: unknown, repo: string): string {
  const code = hubErrorCode(e);
  return code ? HUB_ERROR_WORDS[code](repo) : `Something went wrong with ${repo}; try again.`;
}

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** X-Error-Code and status to a HubErrorCode (HUB.md "Errors"). */
export function errorFromResponse(res: Response, what: string): HubError {
  const xCode = res.headers.get('x-error-code') ?? '';
  const xMessage = res.headers.get('x-error-message') ?? '';
  const say = (text: string) => `${what}: ${text}${xMessage ? ` (${xMessage})` : ''}`;
  if ((res.status === 401 || res.status === 403) && xCode === 'GatedRepo')
    return new HubError('gated', say('the repo is gated and this user has no access'), res.status);
  // The Hub answers 401 + RepoNotFound both for a repo that does not exist and for a private one this user
  // may not see (huggingface_hub hf_raise_for_status): the two cannot be told apart, so say both.
  if ((res.status === 401 || res.status === 404) && xCode === 'RepoNotFound')
    return new HubError(
      'repo-not-found',
      say(res.status === 401 ? 'no such repo, or a private one you cannot see' : 'not found (RepoNotFound)'),
      res.status,
    );
  if (res.status === 401 || res.status === 403)
    return new HubError('unauthorized', say(`HTTP ${res.status}`), res.status);
  if (res.status === 404) {
    const code =
      xCode === 'RepoNotFound'
        ? 'repo-not-found'
        : xCode === 'RevisionNotFound'
          ? 'revision-not-found'
          : xCode === 'EntryNotFound'
            ? 'entry-not-found'
            : 'not-found';
    return new HubError(code, say(`not found (${xCode || 'HTTP 404'})`), 404);
  }
  if (res.status === 429) return new HubError('rate-limited', say('rate limited'), 429);
  if (res.status >= 500) return new HubError('server-error', say(`HTTP ${res.status}`), res.status);
  return new HubError('bad-response', say(`unexpected HTTP ${res.status}`), res.status);
}

/**
 * How long the server asks us to wait, in ms: Retry-After (seconds or a date), or the RateLimit header's
 * `t=` (seconds until the window resets; HUB.md: `RateLimit: "api";r=0;t=55`).
 */
export function retryAfterMs(res: Response, now = Date.now()): number | undefined {
  const ra = res.headers.get('retry-after');
  if (ra) {
    const s = Number(ra);
    if (Number.isFinite(s)) return Math.max(0, s * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const t = /;\s*t=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1];
  return t === undefined ? undefined : Number(t) * 1000;
}
