// The HTTP Range source against the local Hub replica (real TLS, redirects to a CDN host): every status
// and fault gives its documented result, and no verdict is ever safe from a partial or failed read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classify } from '../../../lib/formats/classify';
import { HubError } from '../../../lib/hub/errors';
import { HubFileSource, Limiter, type HubFileOptions } from '../../../lib/hub/http-source';
import { replicaFetch } from '../../support/replica-client';
import { classifyFile, FIXTURES_DIR } from '../../support/fixtures';
import { sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
const KNOBS = {
  latencyMs: 0,
  fail429After: 0,
  fail429Next: 0,
  relativeRedirects: false,
  ignoreRange: false,
  resetMidBody: 0,
  fail5xx: 0,
  grantedTokens: ['secret'],
  // These tests count requests; the spurious 416s have their own tests below.
  spurious416Every: 0,
  cdnUrlTtlSeconds: 3600,
};

beforeAll(async () => {
  hub = await startReplica({ repos: sampleRepos() });
});
afterAll(async () => {
  await hub?.close();
});
beforeEach(() => {
  Object.assign(hub.knobs, KNOBS);
  hub.log.length = 0;
});

function source(path: string, extra: Partial<HubFileOptions> = {}): HubFileSource {
  return new HubFileSource({
    endpoint: hub.url,
    repo: { type: 'model', id: 'picklens/fixtures' },
    rev: 'main',
    path,
    fetch: replicaFetch(hub.cert),
    backoffMs: 5,
    ...extra,
  });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof HubError ? e.code : `not a HubError: ${String(e)}`;
  }
}

describe('HubFileSource against the replica', () => {
  it('an LFS file: a 302 to the CDN host, a 206 with the size in Content-Range', async () => {
    const src = source('model.safetensors');
    const b = await src.read(0, 8);
    expect(b).toHaveLength(8);
    expect(src.size).toBe(388);
    expect(hub.log.map((l) => [l.host, l.status])).toEqual([
      ['127.0.0.1', 302],
      ['localhost', 206],
    ]);
    expect(hub.log[1]?.range).toBe('bytes=0-7');
  });

  it('pinRedirect: later reads go to the signed CDN URL itself; an expired one sends the read back to resolve', async () => {
    hub.knobs.cdnUrlTtlSeconds = 2;
    const src = source('model.safetensors', { pinRedirect: true });
    await src.read(0, 8);
    await src.read(8, 16);
    await src.read(100, 120);
    expect(hub.log.map((l) => [l.host, l.status])).toEqual([
      ['127.0.0.1', 302],
      ['localhost', 206],
      ['localhost', 206],
      ['localhost', 206],
    ]);
    expect(hub.log[2]?.path).toMatch(/^\/xet-bridge-us\/.*Expires=/);
    hub.log.length = 0;
    await new Promise((r) => setTimeout(r, 2100));
    const bytes = await src.read(200, 210);
    expect(bytes).toHaveLength(10);
    expect(hub.log.map((l) => [l.host, l.status])).toEqual([
      ['localhost', 403],
      ['127.0.0.1', 302],
      ['localhost', 206],
    ]);
    // Without the option every read asks resolve (the default: a content script's reads stay same-origin).
    hub.log.length = 0;
    const plain = source('model.safetensors');
    await plain.read(0, 8);
    await plain.read(8, 16);
    expect(hub.log.filter((l) => l.status === 302)).toHaveLength(2);
  });

  it('the same verdict over HTTP as from the local file, for every fixture', async () => {
    const { readdirSync } = await import('node:fs');
    for (const name of readdirSync(FIXTURES_DIR)) {
      const local = await classifyFile(`${FIXTURES_DIR}/${name}`, name);
      const remote = await classify(source(name, { size: local.size }), { name });
      expect({ paper: remote.paper, format: remote.format, risk: remote.risk }, name).toEqual({
        paper: local.paper,
        format: local.format,
        risk: local.risk,
      });
      expect(remote.imports, name).toEqual(local.imports);
    }
  });

  it('a small file served directly honours Range too; a relative redirect is followed', async () => {
    const direct = source('README.md');
    expect(new TextDecoder().decode(await direct.read(2, 7))).toBe('A mod');
    hub.knobs.relativeRedirects = true;
    const relative = source('README.md');
    expect(new TextDecoder().decode(await relative.read(2, 7))).toBe('A mod');
    expect(hub.log.some((l) => l.status === 307)).toBe(true);
  });

  it('a 200 where a 206 was asked: only the bytes needed are taken, then the stream is cancelled', async () => {
    hub.knobs.ignoreRange = true;
    const src = source('torch_legacy.tar');
    const b = await src.read(512, 520);
    const { readFileSync } = await import('node:fs');
    expect(b).toEqual(new Uint8Array(readFileSync(`${FIXTURES_DIR}/torch_legacy.tar`)).subarray(512, 520));
    expect(src.size).toBe(10240);
    expect(src.bytesReceived).toBeLessThan(10240);
  });

  it('416 past the end reads as the end of the file, and teaches the size', async () => {
    const src = source('model.safetensors');
    expect(await src.read(10_000, 10_100)).toHaveLength(0);
    expect(src.size).toBe(388);
  });

  it('gated: 401 GatedRepo anonymously, readable with a granted token', async () => {
    const gated = (headers?: Record<string, string>) =>
      new HubFileSource({
        endpoint: hub.url,
        repo: { type: 'model', id: 'picklens/gated' },
        rev: 'main',
        path: 'model.safetensors',
        fetch: (u, i) =>
          replicaFetch(hub.cert)(u, { ...i, headers: { ...(i?.headers as object), ...headers } }),
      });
    expect(await code(gated().read(0, 8))).toBe('gated');
    expect(hub.log[0]?.status).toBe(401);
    expect(await code(gated({ authorization: 'Bearer secret' }).read(0, 8))).toBe('ok');
    const v = await classify(gated(), { name: 'model.safetensors' });
    expect(v.risk).toBe('unknown');
    expect(v.findings[0]).toMatchObject({ code: 'read-failed', cause: 'gated' });
  });

  it('404s say which thing is missing', async () => {
    expect(await code(source('nope.bin').read(0, 8))).toBe('entry-not-found');
    expect(await code(source('model.safetensors', { rev: 'deadbeef' }).read(0, 8))).toBe(
      'revision-not-found',
    );
    expect(
      await code(source('model.safetensors', { repo: { type: 'model', id: 'nobody/nothing' } }).read(0, 8)),
    ).toBe('repo-not-found');
  });

  it('429 with Retry-After: waits, then succeeds; nothing lost', async () => {
    hub.knobs.fail429Next = 2;
    hub.knobs.retryAfterSeconds = 0;
    const waits: number[] = [];
    const src = source('model.safetensors', { onWait: (ms) => waits.push(ms) });
    expect(await src.read(0, 8)).toHaveLength(8);
    expect(waits).toEqual([0, 0]);
    expect(hub.log.filter((l) => l.status === 429)).toHaveLength(2);
  });

  it('a 429 that does not pass is rate-limited after the retries', async () => {
    hub.knobs.fail429After = 1;
    hub.knobs.retryAfterSeconds = 0;
    hub.log.length = 0;
    const src = source('model.safetensors');
    await src.read(0, 8).catch(() => undefined); // the first request passes the counter
    expect(await code(source('model.safetensors').read(0, 8))).toBe('rate-limited');
  });

  it('5xx: bounded retries with backoff, then success or server-error', async () => {
    hub.knobs.fail5xx = 2;
    expect(await code(source('model.safetensors').read(0, 8))).toBe('ok');
    hub.knobs.fail5xx = 10;
    expect(await code(source('model.safetensors').read(0, 8))).toBe('server-error');
    expect(hub.log.filter((l) => l.status === 503).length).toBe(2 + 4);
  });

  it('a reset mid-body is retried, and the bytes are right', async () => {
    hub.knobs.resetMidBody = 1;
    const { readFileSync } = await import('node:fs');
    const file = new Uint8Array(readFileSync(`${FIXTURES_DIR}/torch_legacy.bin`));
    const src = source('torch_legacy.bin');
    expect(await src.read(0, file.length)).toEqual(file);
    expect(src.requests).toBe(2);
  });

  it('AbortSignal stops a read', async () => {
    hub.knobs.latencyMs = 200;
    const ac = new AbortController();
    const p = source('model.safetensors', { signal: ac.signal }).read(0, 8);
    setTimeout(() => ac.abort(), 20);
    expect(await code(p)).toBe('aborted');
  });

  it('a Limiter bounds the requests in flight across sources', async () => {
    hub.knobs.latencyMs = 30;
    const counter = { calls: 0, inFlight: 0, maxInFlight: 0 };
    const limiter = new Limiter(2);
    const names = [
      'model.safetensors',
      'numeric.npy',
      'relu.onnx',
      'tiny-v1.gguf',
      'tiny-v2.gguf',
      'tiny-v3.gguf',
    ];
    await Promise.all(
      names.map((n) =>
        new HubFileSource({
          endpoint: hub.url,
          repo: { type: 'model', id: 'picklens/fixtures' },
          rev: 'main',
          path: n,
          fetch: replicaFetch(hub.cert, counter),
          limiter,
        }).read(0, 8),
      ),
    );
    expect(counter.calls).toBe(6);
    expect(counter.maxInFlight).toBe(2);
  });

  it('a 401 + RepoNotFound (a missing or private repo, as the real Hub answers) is repo-not-found', async () => {
    hub.knobs.notFoundAs401 = true;
    expect(
      await code(source('model.safetensors', { repo: { type: 'model', id: 'nobody/nothing' } }).read(0, 8)),
    ).toBe('repo-not-found');
    expect(hub.log.map((l) => l.status)).toEqual([401]);
  });

  it('a CDN 416 with a false total is retried, never taken as the end of the file', async () => {
    hub.knobs.spurious416Every = 2; // the second CDN read of this test answers `416 bytes */177`
    const src = source('model.safetensors', { backoffMs: 1 });
    const head = await src.read(0, 8);
    expect(head).toHaveLength(8);
    const rest = await src.read(8, 300);
    expect(rest).toHaveLength(292);
    expect(src.size).toBe(388);
    expect(hub.log.filter((l) => l.status === 416)).toHaveLength(1);
  });

  it('pinRedirect: a CDN fault on the signed URL (a bogus 416) is retried there, not sent back to resolve', async () => {
    // After the test above (the replica counts CDN reads across tests: this one runs with every read faulty
    // or none, so the order of the others does not change).
    hub.knobs.spurious416Every = 1;
    const faulty = source('model.safetensors', { pinRedirect: true, backoffMs: 1 });
    hub.knobs.spurious416Every = 0;
    expect(await faulty.read(0, 10)).toHaveLength(10);
    hub.knobs.spurious416Every = 1;
    hub.log.length = 0;
    await expect(faulty.read(10, 20)).rejects.toMatchObject({ code: 'bogus-range' });
    // Every attempt went to the pinned URL: no new redirect was asked for.
    expect(hub.log.filter((l) => l.status === 302)).toHaveLength(0);
    expect(hub.log.filter((l) => l.status === 416).length).toBeGreaterThan(1);
    hub.knobs.spurious416Every = 0;
    expect(await faulty.read(10, 20)).toHaveLength(10);
  });

  it('416s that do not pass: the read fails (bogus-range) and the verdict is unknown, never cached', async () => {
    const { fromFailedRead } = await import('../../../lib/formats/classify');
    hub.knobs.spurious416Every = 1;
    expect(await code(source('model.safetensors', { backoffMs: 1 }).read(0, 8))).toBe('bogus-range');
    const v = await classify(source('model.safetensors', { backoffMs: 1 }), { name: 'model.safetensors' });
    expect(v.risk).toBe('unknown');
    expect(fromFailedRead(v)).toBe(true);
    // A 416 that agrees with itself is the end of the file: a read past the end of a known-size file.
    hub.knobs.spurious416Every = 0;
    const past = source('model.safetensors');
    expect(await past.read(400, 410)).toHaveLength(0);
    expect(past.size).toBe(388);
  });

  it('a read that fails without an answer (CORS in a page) goes to the fallback at once', async () => {
    const asked: string[] = [];
    const src = source('model.safetensors', {
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      fallback: async (start, end) => {
        asked.push(`${start}-${end}`);
        return (await source('model.safetensors').read(start, end)).slice();
      },
    });
    const v = await classify(src, { name: 'model.safetensors' });
    expect(v.risk).toBe('safe');
    expect(asked[0]).toMatch(/^0-\d+$/);
    expect(src.viaFallback).toBe(asked.length);
    // A failure with an answer (404) is not sent to the fallback.
    const missing = source('nope.bin', { fallback: () => Promise.reject(new Error('not called')) });
    expect(await code(missing.read(0, 8))).toBe('entry-not-found');
  });

  it('a small file redirected to /api/resolve-cache comes whole and gzipped; the bytes asked are taken', async () => {
    hub.knobs.relativeRedirects = true;
    const src = source('README.md');
    expect(new TextDecoder().decode(await src.read(2, 7))).toBe('A mod');
    const cached = hub.log.find((l) => l.path.startsWith('/api/resolve-cache/'));
    expect(cached?.status).toBe(200);
  });

  it('no verdict is safe from a failed or partial read', async () => {
    hub.knobs.fail5xx = 100;
    const failed = await classify(source('model.safetensors', { size: 388 }), { name: 'model.safetensors' });
    expect(failed.risk).toBe('unknown');
    hub.knobs.fail5xx = 0;
    // The head arrives, the next read fails: a GGUF whose metadata runs past the first read.
    let calls = 0;
    const flaky = source('tiny-v3.gguf', {
      fetch: (u, i) => (++calls > 1 ? Promise.reject(new TypeError('reset')) : replicaFetch(hub.cert)(u, i)),
    });
    const v = await classify(
      { size: 352, read: (s, e) => flaky.read(s, Math.min(e, s + 40)) },
      { name: 'tiny-v3.gguf' },
    );
    expect(v.risk).not.toBe('safe');
    expect(v.risk).toBe('unknown');
  });

  it('big files: a 200 MB safetensors verdict from one request of the header', async () => {
    const src = new HubFileSource({
      endpoint: hub.url,
      repo: { type: 'model', id: 'picklens/big' },
      rev: 'main',
      path: 'model.safetensors',
      fetch: replicaFetch(hub.cert),
    });
    const v = await classify(src, { name: 'model.safetensors' });
    expect(v).toMatchObject({ format: 'safetensors', risk: 'safe', requests: 1 });
    expect(src.size).toBe(8 + 120 + 200 * 1024 * 1024);
    expect(src.bytesReceived).toBeLessThanOrEqual(64 * 1024);
  });
});
