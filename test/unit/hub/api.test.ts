// The API client against the replica: pagination (Link, p/count/start), typed results, errors, the
// rate-limit governor.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubApi, RateGovernor, collect } from '../../../lib/hub/api';
import { HubError } from '../../../lib/hub/errors';
import { replicaFetch } from '../../support/replica-client';
import { sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
const fixtures = { type: 'model' as const, id: 'picklens/fixtures' };
const history = { type: 'model' as const, id: 'picklens/history' };

beforeAll(async () => {
  hub = await startReplica({ repos: sampleRepos(), knobs: { pageSize: 5 } });
});
afterAll(async () => {
  await hub?.close();
});
beforeEach(() => {
  hub.log.length = 0;
  Object.assign(hub.knobs, { fail5xx: 0, fail429Next: 0, apiQuota: 500 });
});

const api = (extra = {}) =>
  new HubApi({ endpoint: hub.url, fetch: replicaFetch(hub.cert), backoffMs: 5, ...extra });

describe('HubApi against the replica', () => {
  it('tree: every file, across Link-paginated pages of 5', async () => {
    const entries = await collect(api().tree(fixtures));
    expect(entries.length).toBeGreaterThan(40);
    expect(hub.log.length).toBe(Math.ceil(entries.length / 5));
    const st = entries.find((e) => e.path === 'model.safetensors');
    expect(st).toMatchObject({ type: 'file', size: 388, lfs: { size: 388 } });
    expect(st?.lfs?.oid).toMatch(/^[0-9a-f]{64}$/);
  });

  it('commits: newest first, paginated, with titles, authors and dates', async () => {
    const commits = await collect(api().commits(history));
    expect(commits.map((c) => c.title)).toEqual([
      'Update pytorch_model.bin',
      'Update README.md',
      'Adding `safetensors` variant of this model (#1)',
      'Add tf weights',
      'Update pytorch_model.bin',
      'Upload pytorch_model.bin',
      'initial commit',
    ]);
    expect(commits[2]?.authors).toEqual([{ user: 'SFconvertbot' }]);
    expect(hub.log.length).toBe(2);
  });

  it('discussions: filters and p/count/start paging; details with status events', async () => {
    const prs = await collect(api().discussions(history, { type: 'pull_request', author: 'sfconvertbot' }));
    expect(prs.map((d) => [d.num, d.status])).toEqual([
      [1, 'merged'],
      [3, 'open'],
    ]);
    const d = await api().discussion(history, 1);
    expect(d.changes).toMatchObject({ base: 'refs/heads/main' });
    expect(d.changes?.mergeCommitId).toMatch(/^[0-9a-f]{40}$/);
    expect(d.events[0]).toMatchObject({ type: 'status-change', data: { status: 'merged' } });
    expect((await collect(api().discussions(history, { status: 'open' }))).map((x) => x.num)).toEqual([2, 3]);
  });

  it('model info and refs (PR refs included)', async () => {
    const info = await api().modelInfo(history);
    expect(info.siblings.map((s) => s.rfilename).sort()).toEqual([
      '.gitattributes',
      'README.md',
      'config.json',
      'model.safetensors',
      'pytorch_model.bin',
      'tf_model.h5',
    ]);
    const refs = await api().refs(history);
    expect(refs.pullRequests?.map((r) => r.name)).toEqual(['refs/pr/1', 'refs/pr/3']);
  });

  it('typed errors', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof HubError ? e.code : String(e)),
      );
    expect(await code(api().modelInfo({ type: 'model', id: 'nobody/nothing' }))).toBe('repo-not-found');
    expect(await code(collect(api().tree(fixtures, 'nope')))).toBe('revision-not-found');
    hub.knobs.fail5xx = 2;
    expect(await code(api().modelInfo(fixtures))).toBe('ok');
    hub.knobs.fail429Next = 1;
    hub.knobs.retryAfterSeconds = 0;
    expect(await code(api().modelInfo(fixtures))).toBe('ok');
  });

  it('the governor follows the RateLimit header where the Hub sends it', async () => {
    hub.knobs.apiQuota = 40;
    hub.knobs.rateLimitOn429Only = false;
    const a = api();
    await a.modelInfo(fixtures);
    expect(a.governor.left).toBeLessThan(40);
    expect(a.governor.left).toBeGreaterThan(0);
    hub.knobs.rateLimitOn429Only = true;
  });

  it('without RateLimit headers on 200s (the real Hub), the governor counts its own calls', async () => {
    const a = api();
    const before = a.governor.left;
    await a.modelInfo(fixtures);
    await a.modelInfo(history);
    expect(before - a.governor.left).toBe(2);
    const res = await replicaFetch(hub.cert)(`${hub.url}/api/models/picklens/fixtures`);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit')).toBeNull();
  });
});

describe('RateGovernor', () => {
  it('waits for the window to reset when only the reserve is left', async () => {
    let now = 0;
    const g = new RateGovernor(5, 1000, 2, () => now);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) await g.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([]);
    now = 990;
    await g.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([10]);
  });

  it('follows its own budget of the RateLimit header', () => {
    const headers = new Headers({ ratelimit: '"api";r=400;t=100, "resolvers";r=7;t=20' });
    const res = new Response(null, { headers });
    const api = new RateGovernor(500, 300_000, 10, () => 0, 'api');
    const resolvers = new RateGovernor(3000, 300_000, 10, () => 0, 'resolvers');
    api.observe(res);
    resolvers.observe(res);
    expect(api.left).toBe(400);
    expect(resolvers.left).toBe(7);
  });
});
