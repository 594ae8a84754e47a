// The local Hub replica: a Node server on loopback that answers as huggingface.co does (../shared/HUB.md),
// with real TLS (a self-signed certificate made at start), HTTP/2 with HTTP/1.1 fallback, and a CDN host
// for LFS files. The browser reaches it as https://huggingface.co through Chromium's --host-resolver-rules;
// Node clients reach it at its URL, with `cdnHost` naming a second loopback name for the CDN hop.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
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
  discussionPage,
  discussionsPage,
  homePage,
  treePage,
  treeRow,
  type PageEntry,
  type PageRepo,
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
  /** Small (non-LFS) files answer with a relative 307 to /api/resolve-cache/…, as the Hub may. */
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
}

export interface RequestLog {
  method: string;
  host: string;
  path: string;
  range?: string;
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
  relativeRedirects: false,
  retryAfterSeconds: 1,
  ignoreRange: false,
  resetMidBody: 0,
  fail5xx: 0,
  unreachable: false,
  pageSize: 50,
  apiQuota: 500,
  grantedTokens: [],
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
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const knobs: Knobs = { ...DEFAULT_KNOBS, ...opts.knobs };
  const repos = new Map<string, Repo>();
  const setRepo = (spec: RepoSpec) => repos.set(repoKey(spec.type ?? 'model', spec.id), build(spec));
  for (const spec of opts.repos) setRepo(spec);
  const log: RequestLog[] = [];
  let requestCount = 0;
  let apiCalls = 0;
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
      status: 0,
      bytes: 0,
    };
    log.push(entry);
    requestCount++;
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array | string) => {
      entry.status = status;
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      entry.bytes = bytes?.length ?? 0;
      res.writeHead(status, {
        'access-control-allow-origin': '*',
        'access-control-expose-headers':
          'X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, X-Total-Count, ETag, Link, Accept-Ranges, Content-Range',
        ...headers,
      });
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
      if (host === cdnHost || host === 'cdn-lfs.hf.co' || url.pathname.startsWith('/cdn/'))
        return serveCdn(url, ctx);
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
        return serveApi(
          m[1] === 'models' ? 'model' : m[1] === 'datasets' ? 'dataset' : 'space',
          m[2] ?? '',
          url,
          req,
          (s, h, b) => send(s, { ...rl, ...h }, b),
          fail,
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
        return content ? serveFileBytes(content, ctx, {}) : fail(404, 'EntryNotFound', 'not cached');
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
  const atRevision = (repo: Repo, rev: string): BuiltCommit | undefined => {
    const pr = /^refs\/pr\/(\d+)$/.exec(rev);
    if (pr) return repo.prs.get(Number(pr[1]));
    if (rev === 'main' || rev === 'refs/heads/main') return repo.commits[repo.commits.length - 1];
    return repo.commits.find((c) => c.sha === rev || (rev.length >= 7 && c.sha.startsWith(rev)));
  };

  const serveFileBytes = (content: FileContent, ctx: Ctx, extra: Record<string, string | number>) => {
    const { req, send, res, entry } = ctx;
    const size = sizeOf(content);
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
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
    for (const repo of repos.values()) {
      for (const c of [...repo.commits, ...repo.prs.values()]) {
        for (const content of c.tree.values())
          if (idsOf(content).sha256 === sha) return serveFileBytes(content, ctx, {});
      }
    }
    return ctx.fail(404, 'EntryNotFound', 'no such object');
  };

  const serveResolve = (type: string, id: string, rev: string, path: string, ctx: Ctx) => {
    const { req, send, fail } = ctx;
    const repo = findRepo(type, id);
    if (!repo || (repo.spec.private && !authorised(req)))
      return fail(404, 'RepoNotFound', `Repository ${id} not found`);
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
      const cdn = `${opts.cdnOrigin ?? `${protocol}://${cdnHost}:${new URL(origin).port}`}/cdn/repos/${prefix}${id}/${idsOf(content).sha256}`;
      return send(302, { location: cdn, 'x-linked-etag': idsOf(content).sha256, ...first }, '');
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
      return ctx.fail(404, 'RepoNotFound', `Repository ${id} not found`);
    const html = (body: string) => ctx.send(200, { 'content-type': 'text/html; charset=utf-8' }, body);
    const pr = pageRepoOf(repo);
    const [kind, ...tail] = rest;
    const revAndPath = (): [string, string] =>
      tail[0] === 'refs' && tail.length >= 3
        ? [tail.slice(0, 3).join('/'), tail.slice(3).join('/')]
        : [tail[0] ?? 'main', tail.slice(1).join('/')];
    if (kind === undefined) {
      const readme = repo.commits[repo.commits.length - 1]?.tree.get('README.md');
      return html(homePage(pr, readme ? new TextDecoder().decode(sliceOf(readme, 0, 64 * 1024)) : ''));
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
        ),
      );
    }
    if (kind === 'discussions') {
      const ds = (repo.spec.discussions ?? []).map((d) => ({ ...d, events: d.events ?? [] }));
      if (!tail.length) return html(discussionsPage(pr, ds));
      const d = ds.find((x) => x.num === Number(tail[0]));
      return d ? html(discussionPage(pr, d)) : ctx.fail(404, 'NotFound', 'no such discussion');
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
    if (!repo || (repo.spec.private && !authorised(req)))
      return fail(404, 'RepoNotFound', `Repository ${id} not found`);
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
          author: { name: e.author },
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
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
