// Typed failures of talking to the Hub. Transport failures are not verdicts: they are not cached, and a
// retry may succeed (STYLE.md "a transport failure is not cached and is retried").
type HubErrorCode =
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
