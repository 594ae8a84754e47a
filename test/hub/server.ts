// The local Hub replica: a Node server on loopback that answers as huggingface.co does (../shared/HUB.md),
// with real TLS (a self-signed certificate made at start), HTTP/2 with HTTP/1.1 fallback, and a CDN host
// for LFS files. The browser reaches it as https://huggingface.co through Chromium's --host-resolver-rules;
// Node clients reach it at its URL, with `cdnHost` naming a second loopback name for the CDN hop.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import selfsigned from 'selfsigned';
import {
  buildCommits,
  idsOf,
  isLfs,
  sizeOf,
  sliceOf,
  type BuiltCommit,
  type FileContent,
  type RepoSpec,
  discussionJson,
} from './repos';
import {
  blobPage,
  bucketPage,
  collectionPage,
  discussionPage,
  discussionsPage,
  homePage,
  listingPage,
  notFoundPage,
  profilePage,
  treePage,
  treeRow,
  type PageEntry,
  type PageOptions,
  type PageRepo,
  type RepoCard,
} from './pages';

export interface Knobs {
  /** Added before every response, in ms. */
  latencyMs: number;
  /** Answer 429 once this many requests have been made (all kinds); 0 = never. */
  fail429After: number;
  /** The next N requests answer 429 (a passing limit: retries succeed). */
  fail429Next: number;
  /** The next N file reads (resolve and CDN) answer 429; pages and the API are served. */
  fail429Files: number;
  /**
   * Small (non-LFS) files answer with a relative 307 to /api/resolve-cache/…, which serves them whole,
   * gzipped, without Content-Length or Accept-Ranges, whatever the Range (HUB.md "CloudFront quirks").
   */
  relativeRedirects: boolean;
  /** Seconds in Retry-After of those 429s. */
  retryAfterSeconds: number;
  /** Serve files whole (200) whatever the Range. */
  ignoreRange: boolean;
  /** The next N file responses send half their body and then reset the connection. */
  resetMidBody: number;
  /** The next N requests answer 503. */
  fail5xx: number;
  /** Every request's connection is dropped unanswered: the Hub is unreachable (the browser is offline). */
  unreachable: boolean;
  /** Items per page of tree, commits and discussions (the real Hub: 1000 / 50 / 50). */
  pageSize: number;
  /** Per-5-minute quota of API calls announced in RateLimit headers, and enforced. */
  apiQuota: number;
  /** Tokens that may read gated repos (sent as `Authorization: Bearer` or a `token` cookie). */
  grantedTokens: string[];

  // The real site in 2026 (HUB.md): each roughness is on by default; a focused test turns one off.
  /** Islands hydrate after these delays (ms) and remove, in place, every node they did not render. */
  hydrationDelaysMs: number[];
  /** The tree appends rows when scrolled to its end (off: a "Load more files" button). */
  scrollTree: boolean;
  /** The repo tabs navigate client-side (fetch, swap, pushState). */
  spaNavigation: boolean;
  /**
   * LFS files redirect to the Xet bridge (`/xet-bridge-us/…?Expires=…&Policy=…&Signature=…`), which sends
   * only its own CORS answer; off: the older `cdn-lfs.hf.co/…` redirect.
   */
  xetBridge: boolean;
  /** CDN error responses (4xx, 5xx) carry no Access-Control-Allow-Origin: a page reads them as a failure. */
  cdnErrorsWithoutCors: boolean;
  /**
   * Seconds a signed CDN URL lives (`Expires=` in the Xet bridge's URL); past it the CDN answers 403, as
   * CloudFront does for an expired signed URL ("Request has expired").
   */
  cdnUrlTtlSeconds: number;
  /** Every Nth CDN range read answers CloudFront's 416 with a false total (`bytes *\/177`); 0 = never. */
  spurious416Every: number;
  /** Private and missing repos answer 401 + `X-Error-Code: RepoNotFound` (off: 404). */
  notFoundAs401: boolean;
  /** `RateLimit` headers on 429 answers only (off: on every API answer). */
  rateLimitOn429Only: boolean;
}

/** The Xet bridge's CORS answer (HUB.md "Xet downloads"): these headers only. */
const XET_EXPOSE = 'Accept-Ranges, Content-Range, Content-Type, Content-Disposition, ETag, X-Cache';
/** huggingface.co's CORS expose list (HUB.md "CORS expose list"). */
const HUB_EXPOSE =
  'X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, X-Total-Count, ETag, Link, Accept-Ranges, Content-Range, X-Xet-Hash, X-Xet-Refresh-Route';

export interface RequestLog {
  method: string;
  host: string;
  path: string;
  range?: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** Sec-Fetch-Site: `cross-site` for a page's read on the CDN host, `none` for the extension's worker. */
  fetchSite?: string;
  status: number;
  bytes: number;
}

type Send = (status: number, headers: Record<string, string | number>, body?: Uint8Array | string) => void;
type Fail = (status: number, code: string, message: string) => void;
/** One request: what every route needs to read it and answer it. */
interface Ctx {
  req: IncomingMessage | Http2ServerRequest;
  res: ServerResponse | Http2ServerResponse;
  send: Send;
  fail: Fail;
  entry: RequestLog;
}

interface Repo {
  spec: RepoSpec;
  commits: BuiltCommit[];
  prs: Map<number, BuiltCommit>;
  /** Every commit (branch and PRs) by sha, for walking parents. */
  bySha: Map<string, BuiltCommit>;
}

const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  fail429After: 0,
  fail429Next: 0,
  fail429Files: 0,
  retryAfterSeconds: 1,
  ignoreRange: false,
  resetMidBody: 0,
  fail5xx: 0,
  unreachable: false,
  pageSize: 50,
  apiQuota: 500,
  grantedTokens: [],
  relativeRedirects: true,
  hydrationDelaysMs: [0, 300, 2000],
  scrollTree: true,
  spaNavigation: true,
  xetBridge: true,
  cdnErrorsWithoutCors: true,
  cdnUrlTtlSeconds: 3600,
  spurious416Every: 5,
  notFoundAs401: true,
  rateLimitOn429Only: true,
};

/** Every roughness off: the replica as kind as the first wave's (for tests that measure one thing). */
export const SMOOTH: Partial<Knobs> = {
  relativeRedirects: false,
  hydrationDelaysMs: [],
  scrollTree: false,
  spaNavigation: false,
  xetBridge: false,
  cdnErrorsWithoutCors: false,
  spurious416Every: 0,
  notFoundAs401: false,
  rateLimitOn429Only: false,
};

export interface Replica {
  url: string;
  port: number;
  /** The host name the CDN is reached by (cdn-lfs.hf.co for the browser). */
  cdnHost: string;
  cert: string;
  knobs: Knobs;
  log: RequestLog[];
  repos: Map<string, Repo>;
  /** Adds or replaces a repo (tests change PR states this way). */
  setRepo(spec: RepoSpec): void;
  /**
   * Resolve requests of the same path and the same Range made more than once (`path bytes=a-b` → count), for
   * "no file is read twice in one page view".
   */
  repeatedReads(): Map<string, number>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  repos: RepoSpec[];
  protocol?: 'https' | 'http';
  /** Host name for absolute CDN redirects; default `localhost` (resolves to loopback without rules). */
  cdnHost?: string;
  /**
   * The origin CDN redirects point at. Default `{protocol}://{cdnHost}:{port}`; a browser test uses
   * `https://cdn-lfs.hf.co`, which --host-resolver-rules maps back here, as on the real Hub.
   */
  cdnOrigin?: string;
  knobs?: Partial<Knobs>;
  port?: number;
}

function repoKey(type: string, id: string): string {
  return `${type}:${id}`;
}

function build(spec: RepoSpec): Repo {
  const commits = buildCommits(spec.commits);
  const prs = new Map<number, BuiltCommit>();
  for (const d of spec.discussions ?? []) {
    if (!d.isPullRequest || !d.files) continue;
    const head = commits[commits.length - 1];
    const [pr] = buildCommits(
      [{ title: d.title, author: d.author, date: d.createdAt, files: d.files }],
      head,
    );
    if (pr) prs.set(d.num, pr);
  }
  return { spec, commits, prs, bySha: new Map([...commits, ...prs.values()].map((c) => [c.sha, c])) };
}

export async function startReplica(opts: ReplicaOptions): Promise<Replica> {
  const protocol = opts.protocol ?? 'https';
  const cdnHost = opts.cdnHost ?? 'localhost';
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'huggingface.co' }], {
    notAfterDate: new Date(Date.now() + 2 * 24 * 3600 * 1000),
    keyType: 'ec',
    curve: 'P-256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'huggingface.co' },
          { type: 2, value: 'cdn-lfs.hf.co' },
          { type: 2, value: '*.hf.co' },
          { type: 2, value: 'us.aws.cdn.hf.co' },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const knobs: Knobs = { ...DEFAULT_KNOBS, ...opts.knobs };
  const repos = new Map<string, Repo>();
  /** sha256 → content, for the CDN hosts (built on first use, dropped when a repo changes). */
  let bySha256: Map<string, FileContent> | undefined;
  const setRepo = (spec: RepoSpec) => {
    repos.set(repoKey(spec.type ?? 'model', spec.id), build(spec));
    bySha256 = undefined;
  };
  for (const spec of opts.repos) setRepo(spec);
  const log: RequestLog[] = [];
  let requestCount = 0;
  let apiCalls = 0;
  let cdnReads = 0;
  const windowStart = Date.now();
  let origin = '';

  const handler = async (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ) => {
    const host = String(req.headers.host ?? req.headers[':authority'] ?? '').replace(/:\d+$/, '');
    // The request's own origin (huggingface.co for the browser, 127.0.0.1:port for Node): absolute links
    // (Link: rel="next") point where the client asked, as the real Hub's do.
    const authority = String(req.headers[':authority'] ?? req.headers.host ?? '');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', authority ? `${protocol}://${authority}` : origin || 'https://x');
    } catch {
      url = new URL(req.url ?? '/', 'https://x');
    }
    const entry: RequestLog = {
      method: req.method ?? 'GET',
      host,
      path: url.pathname + url.search,
      range: req.headers.range,
      at: Date.now(),
      fetchSite:
        typeof req.headers['sec-fetch-site'] === 'string' ? req.headers['sec-fetch-site'] : undefined,
      status: 0,
      bytes: 0,
    };
    log.push(entry);
    requestCount++;
    const cdn = isCdn(host, url.pathname);
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array | string) => {
      entry.status = status;
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      entry.bytes = bytes?.length ?? 0;
      const cors =
        cdn && status >= 400 && knobs.cdnErrorsWithoutCors
          ? {}
          : {
              'access-control-allow-origin': '*',
              'access-control-expose-headers': cdn && knobs.xetBridge ? XET_EXPOSE : HUB_EXPOSE,
            };
      res.writeHead(status, { ...cors, ...headers });
      if (bytes) res.end(bytes);
      else res.end();
    };
    const fail = (status: number, code: string, message: string) =>
      send(
        status,
        { 'x-error-code': code, 'x-error-message': message, 'content-type': 'application/json' },
        JSON.stringify({ error: message }),
      );
    const ctx: Ctx = { req, res, send, fail, entry };
    if (knobs.latencyMs) await new Promise((r) => setTimeout(r, knobs.latencyMs));
    const fileRead = url.pathname.includes('/resolve/') || url.pathname.startsWith('/cdn/');
    if (
      (knobs.fail429After && requestCount > knobs.fail429After) ||
      (knobs.fail429Next > 0 && knobs.fail429Next--) ||
      (fileRead && knobs.fail429Files > 0 && knobs.fail429Files--)
    ) {
      return send(
        429,
        {
          'retry-after': knobs.retryAfterSeconds,
          ratelimit: `"api";r=0;t=${knobs.retryAfterSeconds}`,
          'ratelimit-policy': `"fixed window";"api";q=${knobs.apiQuota};w=300`,
        },
        'Too Many Requests',
      );
    }
    if (knobs.unreachable) {
      req.socket.destroy();
      return;
    }
    if (knobs.fail5xx > 0) {
      knobs.fail5xx--;
      return send(503, { 'content-type': 'text/plain' }, 'Service Unavailable');
    }
    try {
      if (cdn) return serveCdn(url, ctx);
      const m = /^\/api\/(models|datasets|spaces)\/(.+)$/.exec(url.pathname);
      if (m) {
        apiCalls++;
        const remaining = Math.max(0, knobs.apiQuota - apiCalls);
        const reset = Math.max(1, 300 - Math.floor((Date.now() - windowStart) / 1000));
        const rl = {
          ratelimit: `"api";r=${remaining};t=${reset}`,
          'ratelimit-policy': `"fixed window";"api";q=${knobs.apiQuota};w=300`,
        };
        if (apiCalls > knobs.apiQuota) return send(429, { ...rl, 'retry-after': reset }, 'Too Many Requests');
        // HUB.md: the RateLimit header is documented on 429s; the real Hub may not send it on a 200.
        const everyAnswer = knobs.rateLimitOn429Only ? {} : rl;
        return serveApi(
          m[1] === 'models' ? 'model' : m[1] === 'datasets' ? 'dataset' : 'space',
          m[2] ?? '',
          url,
          req,
          (s, h, b) => send(s, { ...everyAnswer, ...h }, b),
          (status, code, message) =>
            send(
              status,
              {
                ...everyAnswer,
                'x-error-code': code,
                'x-error-message': message,
                'content-type': 'application/json',
              },
              JSON.stringify({ error: message }),
            ),
        );
      }
      const cached =
        /^\/api\/resolve-cache\/(models|datasets|spaces)\/([\w.-]+\/[\w.-]+|[\w.-]+)\/([0-9a-f]{40})\/(.+)$/.exec(
          url.pathname,
        );
      if (cached) {
        const repo = findRepo(
          cached[1] === 'models' ? 'model' : cached[1] === 'datasets' ? 'dataset' : 'space',
          cached[2] ?? '',
        );
        const content =
          repo && atRevision(repo, cached[3] ?? '')?.tree.get(decodeURIComponent(cached[4] ?? ''));
        if (!content) return fail(404, 'EntryNotFound', 'not cached');
        // Whole, whatever the Range; no Content-Length, no Accept-Ranges; gzipped for a client that accepts
        // it (HUB.md). A browser sends `Accept-Encoding: identity` with a Range, and Chromium fails a response
        // in an encoding it did not ask for (ERR_CONTENT_DECODING_FAILED): that one gets the bytes as they are.
        const whole = sliceOf(content, 0, sizeOf(content));
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        return send(
          200,
          { 'content-type': 'application/octet-stream', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
          gzip ? gzipSync(whole) : whole,
        );
      }
      const r = /^\/(?:(datasets|spaces)\/)?([\w.-]+\/[\w.-]+|[\w.-]+)\/resolve\/([^/]+)\/(.+)$/.exec(
        url.pathname,
      );
      if (r)
        return serveResolve(
          r[1] === 'datasets' ? 'dataset' : r[1] === 'spaces' ? 'space' : 'model',
          r[2] ?? '',
          decodeURIComponent(r[3] ?? ''),
          r[4]?.split('/').map(decodeURIComponent).join('/') ?? '',
          ctx,
        );
      if (url.pathname === '/__replica/rows' && req.method === 'POST') {
        // The replica's stand-in for the Hub's client-side row rendering after "Load more".
        const chunks: Buffer[] = [];
        for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
        const repo = findRepo(url.searchParams.get('type') ?? 'model', url.searchParams.get('id') ?? '');
        const rev = url.searchParams.get('rev') ?? 'main';
        const c = repo && atRevision(repo, rev);
        if (!repo || !c) return fail(404, 'NotFound', 'no such repo');
        const entries = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PageEntry[];
        return send(
          200,
          { 'content-type': 'text/html; charset=utf-8' },
          entries.map((e) => treeRow(pageRepoOf(repo), rev, e, lastCommitOf(repo, c, e.path))).join('\n'),
        );
      }
      const site = req.method === 'GET' ? siteRoute(url.pathname) : undefined;
      if (site) return site(ctx);
      const pageRoute = /^\/(?:(datasets|spaces)\/)?([\w.-]+)(?:\/([\w.-]+))?((?:\/[^/]+)*)$/.exec(
        url.pathname,
      );
      if (pageRoute && req.method === 'GET') {
        const [, kindPrefix, first = '', second, more = ''] = pageRoute;
        const type = kindPrefix === 'datasets' ? 'dataset' : kindPrefix === 'spaces' ? 'space' : 'model';
        // `/gpt2/tree/main` (a single-name model) or `/org/name/...`.
        const single =
          type === 'model' &&
          (second === undefined || ['tree', 'blob', 'discussions'].includes(second)) &&
          Boolean(findRepo('model', first));
        const id = single ? first : `${first}/${second ?? ''}`;
        const rest = [...(single && second ? [second] : []), ...more.split('/').filter(Boolean)].map(
          decodeURIComponent,
        );
        if (second !== undefined || single) return servePage(type, id, rest, ctx);
      }
      if (req.method === 'GET' && !url.pathname.startsWith('/api/'))
        return send(404, { 'content-type': 'text/html; charset=utf-8' }, notFoundPage(pageOptions()));
      return fail(404, 'NotFound', `no route for ${url.pathname}`);
    } catch (e) {
      return fail(500, 'Internal', e instanceof Error ? e.message : String(e));
    }
  };

  const authorised = (req: IncomingMessage | Http2ServerRequest) => {
    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const cookie = /(?:^|;\s*)token=([^;]+)/.exec(String(req.headers.cookie ?? ''))?.[1];
    return [auth, cookie].some((t) => t !== undefined && knobs.grantedTokens.includes(t));
  };

  const findRepo = (type: string, id: string) => repos.get(repoKey(type, id));
  const pageOptions = (): PageOptions => ({
    hydrationDelaysMs: knobs.hydrationDelaysMs,
    scrollTree: knobs.scrollTree,
    spaNavigation: knobs.spaNavigation,
  });
  /** What the Hub answers for a repo that does not exist or that this user may not see. */
  const repoNotFound = (fail: Fail, id: string) =>
    fail(knobs.notFoundAs401 ? 401 : 404, 'RepoNotFound', `Repository ${id} not found`);
  const isCdn = (host: string, path: string) =>
    host === cdnHost ||
    (host !== 'huggingface.co' && host.endsWith('.hf.co')) ||
    path.startsWith('/cdn/') ||
    path.startsWith('/xet-bridge-us/');

  const cardsOf = (pred: (r: Repo) => boolean): RepoCard[] =>
    [...repos.values()]
      .filter((r) => !r.spec.private && pred(r))
      .map((r) => ({ id: r.spec.id, type: r.spec.type ?? 'model' }));

  /** Pages of the site that are not repos (HUB.md: profiles, orgs, buckets, collections, listings). */
  const siteRoute = (path: string): ((ctx: Ctx) => void) | undefined => {
    const html = (ctx: Ctx, body: string) =>
      ctx.send(200, { 'content-type': 'text/html; charset=utf-8' }, body);
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first = '', ...more] = seg;
    if (seg.length === 1 && (first === 'models' || first === 'datasets' || first === 'spaces')) {
      const type = first === 'models' ? 'model' : first === 'datasets' ? 'dataset' : 'space';
      return (ctx) =>
        html(
          ctx,
          listingPage(
            first,
            cardsOf((r) => (r.spec.type ?? 'model') === type),
            pageOptions(),
          ),
        );
    }
    if (first === 'buckets') return (ctx) => html(ctx, bucketPage(path, pageOptions()));
    if (first === 'collections' && more.length) {
      const owner = more[0] ?? '';
      return (ctx) =>
        html(
          ctx,
          collectionPage(
            path,
            cardsOf((r) => r.spec.id.startsWith(`${owner}/`)),
            pageOptions(),
          ),
        );
    }
    if (seg.length === 1 && !findRepo('model', first)) {
      const org = cardsOf((r) => r.spec.id.startsWith(`${first}/`));
      const user = [...repos.values()].some((r) => r.commits.some((c) => c.spec.author === first));
      if (!org.length && !user) return undefined;
      return (ctx) => html(ctx, profilePage(first, org.length > 0, org, pageOptions()));
    }
    return undefined;
  };
  const atRevision = (repo: Repo, rev: string): BuiltCommit | undefined => {
    const pr = /^refs\/pr\/(\d+)$/.exec(rev);
    if (pr) return repo.prs.get(Number(pr[1]));
    if (rev === 'main' || rev === 'refs/heads/main') return repo.commits[repo.commits.length - 1];
    // Any commit by its sha, a pull request's too (the real Hub resolves every commit of the repo).
    const exact = repo.bySha.get(rev);
    if (exact) return exact;
    return repo.commits.find((c) => rev.length >= 7 && c.sha.startsWith(rev));
  };

  const serveFileBytes = (content: FileContent, ctx: Ctx, extra: Record<string, string | number>) => {
    const { req, send, res, entry } = ctx;
    const size = sizeOf(content);
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (
      range &&
      isCdn(entry.host, entry.path) &&
      knobs.spurious416Every &&
      ++cdnReads % knobs.spurious416Every === 0
    )
      // CloudFront's fault (datasets #7685): a 416 whose total is not the file's (HUB.md "CloudFront quirks").
      return send(416, { 'content-range': 'bytes */177', 'x-cache': 'Error from cloudfront' });
    const reset = knobs.resetMidBody > 0 ? (knobs.resetMidBody--, true) : false;
    let status = 200;
    let start = 0;
    let end = size;
    const headers: Record<string, string | number> = {
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      etag: `"${idsOf(content).sha256}"`,
      ...extra,
    };
    if (range && !knobs.ignoreRange) {
      start = Number(range[1]);
      end = range[2] ? Math.min(size, Number(range[2]) + 1) : size;
      if (start >= size) return send(416, { 'content-range': `bytes */${size}` });
      status = 206;
      headers['content-range'] = `bytes ${start}-${end - 1}/${size}`;
    }
    const body = sliceOf(content, start, end);
    if (reset) {
      entry.status = status;
      res.writeHead(status, {
        ...headers,
        'access-control-allow-origin': '*',
        'content-length': body.length,
      });
      (res as ServerResponse).write(body.subarray(0, Math.floor(body.length / 2)));
      entry.bytes = Math.floor(body.length / 2);
      setTimeout(
        () =>
          'stream' in res && res.stream ? res.stream.close(2) : (res as ServerResponse).socket?.destroy(),
        10,
      );
      return;
    }
    send(status, { ...headers, 'content-length': body.length }, body);
  };

  const serveCdn = (url: URL, ctx: Ctx) => {
    const sha = /\/([0-9a-f]{64})$/.exec(url.pathname)?.[1];
    if (!bySha256) {
      bySha256 = new Map();
      for (const repo of repos.values())
        for (const c of [...repo.commits, ...repo.prs.values()])
          for (const [path, content] of c.tree)
            if (isLfs(path, content)) bySha256.set(idsOf(content).sha256, content);
    }
    const content = sha ? bySha256.get(sha) : undefined;
    if (!content) return ctx.fail(404, 'EntryNotFound', 'no such object');
    const expires = Number(url.searchParams.get('Expires') ?? NaN);
    if (expires * 1000 < Date.now()) return ctx.fail(403, 'AccessDenied', 'Request has expired');
    return serveFileBytes(content, ctx, knobs.xetBridge ? { 'x-cache': 'Hit from cloudfront' } : {});
  };

  const serveResolve = (type: string, id: string, rev: string, path: string, ctx: Ctx) => {
    const { req, send, fail } = ctx;
    const repo = findRepo(type, id);
    if (!repo || (repo.spec.private && !authorised(req))) return repoNotFound(fail, id);
    if (repo.spec.gated && !authorised(req))
      return fail(
        req.headers.authorization || req.headers.cookie ? 403 : 401,
        'GatedRepo',
        `Access to ${id} is restricted`,
      );
    const commit = atRevision(repo, rev);
    if (!commit) return fail(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const content = commit.tree.get(path);
    if (!content) return fail(404, 'EntryNotFound', `${path} does not exist on "${rev}"`);
    const first = {
      'x-repo-commit': commit.sha,
      'x-linked-size': sizeOf(content),
      etag: `"${isLfs(path, content) ? idsOf(content).sha256 : idsOf(content).oid}"`,
    };
    if (isLfs(path, content)) {
      const prefix = type === 'model' ? '' : `${type}s/`;
      const cdnOrigin = opts.cdnOrigin ?? `${protocol}://${cdnHost}:${new URL(origin).port}`;
      const sha256 = idsOf(content).sha256;
      // The Xet bridge's signed URL (HUB.md, 2026-06); hostnames may change, so nothing may rely on them.
      const cdn = knobs.xetBridge
        ? `${cdnOrigin}/xet-bridge-us/${idsOf(content).oid.slice(0, 16)}/${sha256}?Expires=${Math.floor(Date.now() / 1000) + knobs.cdnUrlTtlSeconds}&Policy=eyJTdGF0ZW1lbnQiOltdfQ__&Signature=replica&Key-Pair-Id=K2L8F4GPSG1IFC`
        : `${cdnOrigin}/cdn/repos/${prefix}${id}/${sha256}`;
      return send(302, { location: cdn, 'x-linked-etag': sha256, ...first }, '');
    }
    if (knobs.relativeRedirects) {
      const prefix = type === 'model' ? 'models' : `${type}s`;
      return send(
        307,
        {
          location: `/api/resolve-cache/${prefix}/${id}/${commit.sha}/${path.split('/').map(encodeURIComponent).join('/')}?etag=x`,
          ...first,
        },
        '',
      );
    }
    return serveFileBytes(content, ctx, first);
  };

  /** Tree entries under `prefix` (directories first), as the tree API lists them. */
  const listTree = (c: BuiltCommit, prefix: string, recursive: boolean): PageEntry[] => {
    const files: PageEntry[] = [];
    const dirs = new Set<string>();
    for (const [path, content] of [...c.tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (prefix && !path.startsWith(`${prefix}/`)) continue;
      const rel = prefix ? path.slice(prefix.length + 1) : path;
      if (!recursive && rel.includes('/')) {
        dirs.add(`${prefix ? `${prefix}/` : ''}${rel.split('/')[0] ?? ''}`);
        continue;
      }
      const ids = idsOf(content);
      files.push({
        type: 'file',
        oid: ids.oid,
        size: sizeOf(content),
        path,
        ...(isLfs(path, content)
          ? { lfs: { oid: ids.sha256, size: sizeOf(content), pointerSize: 134 } }
          : {}),
      });
    }
    return [
      ...[...dirs].map((d): PageEntry => ({ type: 'directory', oid: '0'.repeat(40), size: 0, path: d })),
      ...files,
    ];
  };

  const pageRepoOf = (repo: Repo): PageRepo => {
    const head = repo.commits[repo.commits.length - 1];
    const ds = repo.spec.discussions ?? [];
    const open = ds.filter((d) => d.status === 'open' || d.status === 'draft').length;
    return {
      id: repo.spec.id,
      type: repo.spec.type ?? 'model',
      sha: head?.sha ?? '',
      private: Boolean(repo.spec.private),
      gated: repo.spec.gated ?? false,
      lastModified: head?.spec.date ?? '',
      discussionsStats: { open, closed: ds.length - open, total: ds.length },
    };
  };

  /** The last commit up to `c` that touched `path` (a folder: anything under it). */
  const lastCommitOf = (repo: Repo, c: BuiltCommit, path: string) => {
    for (let x: BuiltCommit | undefined = c; x; x = x.parent ? repo.bySha.get(x.parent) : undefined) {
      if (Object.keys(x.spec.files).some((f) => f === path || f.startsWith(`${path}/`)))
        return { sha: x.sha, title: x.spec.title, date: x.spec.date };
    }
    return { sha: c.sha, title: c.spec.title, date: c.spec.date };
  };

  const servePage = (type: 'model' | 'dataset' | 'space', id: string, rest: string[], ctx: Ctx) => {
    const repo = findRepo(type, id);
    if (!repo || (repo.spec.private && !authorised(ctx.req)))
      return ctx.send(404, { 'content-type': 'text/html; charset=utf-8' }, notFoundPage(pageOptions()));
    const html = (body: string) => ctx.send(200, { 'content-type': 'text/html; charset=utf-8' }, body);
    const pr = pageRepoOf(repo);
    const [kind, ...tail] = rest;
    const revAndPath = (): [string, string] =>
      tail[0] === 'refs' && tail.length >= 3
        ? [tail.slice(0, 3).join('/'), tail.slice(3).join('/')]
        : [tail[0] ?? 'main', tail.slice(1).join('/')];
    if (kind === undefined) {
      const readme = repo.commits[repo.commits.length - 1]?.tree.get('README.md');
      return html(
        homePage(pr, readme ? new TextDecoder().decode(sliceOf(readme, 0, 64 * 1024)) : '', pageOptions()),
      );
    }
    if (kind === 'tree' || kind === 'blob') {
      const [rev, path] = revAndPath();
      const c = atRevision(repo, rev);
      if (!c) return ctx.fail(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      if (kind === 'blob') {
        const content = c.tree.get(path);
        if (!content) return ctx.fail(404, 'EntryNotFound', `${path} does not exist`);
        const ids = idsOf(content);
        const lfs = isLfs(path, content)
          ? { oid: ids.sha256, size: sizeOf(content), pointerSize: 134 }
          : undefined;
        return html(
          blobPage(
            pr,
            rev,
            path,
            sizeOf(content),
            lfs,
            lfs ? undefined : new TextDecoder().decode(sliceOf(content, 0, 64 * 1024)),
            pageOptions(),
          ),
        );
      }
      const all = listTree(c, path, false);
      const first = all.slice(0, knobs.pageSize);
      const prefix = type === 'model' ? 'models' : `${type}s`;
      const nextURL =
        all.length > knobs.pageSize
          ? `/api/${prefix}/${id}/tree/${encodeURIComponent(rev)}${path ? `/${path}` : ''}?cursor=1`
          : null;
      const rows = first.map((e) => treeRow(pr, rev, e, lastCommitOf(repo, c, e.path))).join('\n');
      return html(
        treePage(
          pr,
          rev,
          path,
          first,
          nextURL,
          rows,
          `/__replica/rows?type=${type}&id=${encodeURIComponent(id)}&rev=${encodeURIComponent(rev)}`,
          pageOptions(),
        ),
      );
    }
    if (kind === 'discussions') {
      const ds = (repo.spec.discussions ?? []).map((d) => ({ ...d, events: d.events ?? [] }));
      if (!tail.length) return html(discussionsPage(pr, ds, pageOptions()));
      const d = ds.find((x) => x.num === Number(tail[0]));
      return d ? html(discussionPage(pr, d, pageOptions())) : ctx.fail(404, 'NotFound', 'no such discussion');
    }
    return ctx.fail(404, 'NotFound', 'no such page');
  };

  const page = <T>(items: T[], url: URL, pageSize: number): { slice: T[]; next?: string } => {
    const cursor = Number(url.searchParams.get('cursor') ?? url.searchParams.get('p') ?? 0);
    const perPage = Math.min(pageSize, Number(url.searchParams.get('limit') ?? pageSize));
    const slice = items.slice(cursor * perPage, (cursor + 1) * perPage);
    if ((cursor + 1) * perPage >= items.length) return { slice };
    const next = new URL(url.toString());
    next.searchParams.set(url.searchParams.has('p') ? 'p' : 'cursor', String(cursor + 1));
    return {
      slice,
      next: `${url.origin === 'https://x' ? origin : url.origin}${next.pathname}${next.search}`,
    };
  };

  const serveApi = (
    type: 'model' | 'dataset' | 'space',
    rest: string,
    url: URL,
    req: IncomingMessage | Http2ServerRequest,
    send: Send,
    fail: Fail,
  ) => {
    const json = (body: unknown, headers: Record<string, string | number> = {}) =>
      send(200, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));
    const m = /^([\w.-]+\/[\w.-]+|[\w.-]+?)(?:\/(tree|commits|refs|discussions|revision)(?:\/(.*))?)?$/.exec(
      rest,
    );
    if (!m) return fail(404, 'NotFound', 'no such API route');
    const [, id = '', kind, tail = ''] = m;
    const repo = findRepo(type, id);
    if (!repo || (repo.spec.private && !authorised(req))) return repoNotFound(fail, id);
    const head = repo.commits[repo.commits.length - 1];
    if (!kind || kind === 'revision') {
      const c = kind ? atRevision(repo, decodeURIComponent(tail)) : head;
      if (!c) return fail(404, 'RevisionNotFound', `Invalid rev id: ${tail}`);
      const blobs = url.searchParams.get('blobs') === 'true';
      return json({
        _id: id,
        id,
        modelId: id,
        sha: c.sha,
        lastModified: c.spec.date,
        createdAt: repo.commits[0]?.spec.date,
        private: Boolean(repo.spec.private),
        gated: repo.spec.gated ?? false,
        siblings: [...c.tree].map(([path, content]) =>
          blobs
            ? {
                rfilename: path,
                size: sizeOf(content),
                blobId: idsOf(content).oid,
                ...(isLfs(path, content)
                  ? { lfs: { size: sizeOf(content), sha256: idsOf(content).sha256, pointerSize: 134 } }
                  : {}),
              }
            : { rfilename: path },
        ),
      });
    }
    if (kind === 'tree') {
      const [rev = 'main', ...dir] = tail.split('/').map(decodeURIComponent);
      const c = atRevision(repo, rev);
      if (!c) return fail(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const prefix = dir.join('/');
      const all = listTree(c, prefix, url.searchParams.get('recursive') === 'true');
      if (prefix && !all.length) return fail(404, 'EntryNotFound', `${prefix} does not exist`);
      const { slice, next } = page(all, url, knobs.pageSize);
      return json(slice, next ? { link: `<${next}>; rel="next"` } : {});
    }
    if (kind === 'commits') {
      const c = atRevision(repo, decodeURIComponent(tail || 'main'));
      if (!c) return fail(404, 'RevisionNotFound', `Invalid rev id: ${tail}`);
      const chain: BuiltCommit[] = [];
      for (let x: BuiltCommit | undefined = c; x; x = x.parent ? repo.bySha.get(x.parent) : undefined)
        chain.push(x);
      const items = chain.map((x) => ({
        id: x.sha,
        title: x.spec.title,
        message: x.spec.message ?? '',
        authors: [{ user: x.spec.author }],
        date: x.spec.date,
      }));
      const { slice, next } = page(items, url, knobs.pageSize);
      return json(slice, {
        'x-total-count': items.length,
        ...(next ? { link: `<${next}>; rel="next"` } : {}),
      });
    }
    if (kind === 'refs') {
      const ref = (name: string, r: string, sha: string) => ({ name, ref: r, targetCommit: sha });
      return json({
        branches: [ref('main', 'refs/heads/main', head?.sha ?? '')],
        tags: [],
        converts: [],
        pullRequests: url.searchParams.get('include_prs')
          ? [...repo.prs].map(([n, c]) => ref(`refs/pr/${n}`, `refs/pr/${n}`, c.sha))
          : undefined,
      });
    }
    // discussions
    const all = repo.spec.discussions ?? [];
    const num = Number(tail);
    const summary = (d: (typeof all)[number]) => discussionJson(d, { id, type });
    if (tail && Number.isInteger(num)) {
      const d = all.find((x) => x.num === num);
      if (!d) return fail(404, 'NotFound', `Discussion ${num} not found`);
      const pr = repo.prs.get(num);
      return json({
        ...summary(d),
        changes: d.isPullRequest
          ? {
              base: 'refs/heads/main',
              headCommitId: pr?.sha,
              mergeCommitId: d.status === 'merged' ? pr?.sha : undefined,
            }
          : undefined,
        filesWithConflicts: [],
        events: (d.events ?? []).map((e, i) => ({
          id: `${d.num}-${i}`,
          type: e.type,
          createdAt: e.createdAt,
          // The real Hub's event author (HUB.md "Discussion detail"): the account's name, display name and
          // flags, `isHf` among them (DESIGN.md: who merged a conversion PR, staff or not).
          author: { name: e.author, fullname: e.author, type: 'user', isHf: e.authorIsHf ?? false },
          data: e.type === 'status-change' ? { status: e.status } : { latest: { raw: e.content ?? '' } },
        })),
      });
    }
    let list = all;
    const t = url.searchParams.get('type');
    if (t === 'pull_request') list = list.filter((d) => d.isPullRequest);
    if (t === 'discussion') list = list.filter((d) => !d.isPullRequest);
    const status = url.searchParams.get('status');
    if (status && status !== 'all')
      list = list.filter((d) =>
        status === 'closed' ? d.status === 'closed' || d.status === 'merged' : d.status === status,
      );
    const author = url.searchParams.get('author');
    if (author) list = list.filter((d) => d.author.toLowerCase() === author.toLowerCase());
    const p = Number(url.searchParams.get('p') ?? 0);
    const per = knobs.pageSize;
    return json({
      discussions: list.slice(p * per, (p + 1) * per).map(summary),
      count: list.length,
      start: p * per,
    });
  };

  const server =
    protocol === 'https'
      ? createSecureServer(
          { key: pems.private, cert: pems.cert, allowHTTP1: true },
          (req, res) => void handler(req, res),
        )
      : createHttpServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `${protocol}://127.0.0.1:${port}`;
  return {
    url: origin,
    port,
    cdnHost,
    cert: pems.cert,
    knobs,
    log,
    repos,
    setRepo,
    repeatedReads() {
      const counts = new Map<string, number>();
      for (const l of log)
        if (l.path.includes('/resolve/')) {
          const key = `${l.path} ${l.range ?? 'whole'}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      return new Map([...counts].filter(([, n]) => n > 1));
    },
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
