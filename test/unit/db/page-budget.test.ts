// What the background spends for one page view: the chip's bounded listing, the tree facts of appended
// rows (paged only as far as asked), one PR refresh per repo at a time, the fallback read, the 429 wait
// shared by every tab.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../../../lib/base64';
import {
  CHIP_MAX_FILES,
  CHIP_MAX_TREE_PAGES,
  handleReadRange,
  handleRepoCode,
  handleRepoFiles,
  refreshConversionPrsOnce,
} from '../../../lib/background/handlers';
import { TreeEntries } from '../../../lib/background/tree-entries';
import { openPicklensDb } from '../../../lib/db/schema';
import { HubApi, RateGovernor } from '../../../lib/hub/api';
import { replicaFetch } from '../../support/replica-client';
import { fixture, hugeRepo, longTreeRepo, sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
beforeAll(async () => {
  hub = await startReplica({ repos: [...sampleRepos(), hugeRepo(3000)], knobs: { pageSize: 10 } });
});
afterAll(async () => {
  await hub?.close();
});
beforeEach(() => {
  hub.log.length = 0;
  hub.knobs.pageSize = 10;
});

const api = () => new HubApi({ endpoint: hub.url, fetch: replicaFetch(hub.cert), backoffMs: 1 });
const calls = (part: string) =>
  hub.log.filter((l) => l.path.startsWith('/api/') && l.path.includes(part)).length;

describe('the repo chip’s listing', () => {
  it(`stops at ${CHIP_MAX_TREE_PAGES} tree pages on a huge repo, and says so`, async () => {
    const got = await handleRepoFiles(api(), { type: 'dataset', id: 'picklens/huge' }, 'main');
    expect(calls('/tree/')).toBe(CHIP_MAX_TREE_PAGES);
    expect(got.truncated).toBe(true);
    expect(got.listed).toBe(CHIP_MAX_TREE_PAGES * 10);
  });

  it(`a repo that fits is listed whole; at most ${CHIP_MAX_FILES} files are handed back`, async () => {
    hub.knobs.pageSize = 1000;
    const small = await handleRepoFiles(api(), { type: 'model', id: 'picklens/history' }, 'main');
    expect(small.truncated).toBe(false);
    expect(small.files.map((f) => f.path).sort()).toEqual([
      'model.safetensors',
      'pytorch_model.bin',
      'tf_model.h5',
    ]);
    // The code facts ride on the same listing: root configs that can carry an auto_map, and .py files.
    expect(small.code).toEqual({
      pythonFiles: [],
      configs: [
        {
          path: 'config.json',
          size: '{"architectures":["TinyNet"]}'.length,
          contentKey: expect.stringMatching(/^git:[0-9a-f]{40}$/) as string,
        },
      ],
    });
    const custom = await handleRepoFiles(api(), { type: 'model', id: 'picklens/remote-code' }, 'main');
    expect(custom.code.pythonFiles).toEqual(['configuration_tiny.py', 'modeling_tiny.py']);
    expect(custom.code.configs.map((c) => c.path)).toEqual(['config.json', 'tokenizer_config.json']);
    const few = await handleRepoFiles(api(), { type: 'model', id: 'picklens/fixtures' }, 'main', {
      pages: 3,
      files: 5,
    });
    expect(few.files).toHaveLength(5);
    expect(few.truncated).toBe(true);
  });
});

describe("the repo's code", () => {
  it('from the listing the chip made: no second listing, only the root configs read', async () => {
    hub.knobs.pageSize = 1000;
    const repo = { type: 'model' as const, id: 'picklens/remote-code' };
    const { code } = await handleRepoFiles(api(), repo, 'main');
    hub.log.length = 0;
    const read = { endpoint: hub.url, fetch: replicaFetch(hub.cert) };
    const got = await handleRepoCode(api(), repo, 'main', read, code);
    expect(calls('/tree/')).toBe(0);
    expect(hub.log.filter((l) => l.path.includes('/resolve/')).map((l) => l.path.split('/').pop())).toEqual([
      'config.json',
      'tokenizer_config.json',
    ]);
    expect(got.findings.map((f) => f.code)).toEqual([
      'repo-auto-map',
      'repo-auto-map-remote',
      'repo-python-files',
    ]);
    // The popup's way: it lists first (within the chip's budget); the same configs are not read again.
    hub.log.length = 0;
    expect((await handleRepoCode(api(), repo, 'main', read)).autoMap).toHaveLength(3);
    expect(calls('/tree/')).toBe(1);
    expect(hub.log.filter((l) => l.path.includes('/resolve/'))).toEqual([]);
  });
});

describe('tree facts of appended rows', () => {
  const repo = { type: 'model' as const, id: 'picklens/long-tree' };

  it('lists a folder only as far as the rows asked for, and goes on from there', async () => {
    const trees = new TreeEntries(api());
    // 60 configs, then model.safetensors, pytorch_model.bin, zz-checkpoint: 63 entries, 10 a page.
    const first = await trees.lookup(repo, 'main', ['config-15.json']);
    expect(first['config-15.json']?.size).toBeGreaterThan(0);
    expect(calls('/tree/')).toBe(2);
    const again = await trees.lookup(repo, 'main', ['config-12.json']);
    expect(again['config-12.json']).toBeDefined();
    expect(calls('/tree/')).toBe(2); // already listed
    const last = await trees.lookup(repo, 'main', ['zz-checkpoint', 'pytorch_model.bin']);
    expect(last['zz-checkpoint']).toEqual({
      size: fixture('torch_malicious.pt').length,
      contentKey: expect.stringMatching(/^git:/) as string,
    });
    expect(last['pytorch_model.bin']?.contentKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(calls('/tree/')).toBe(7);
    // A path that is not there: the listing ends, nothing is made up.
    expect(await trees.lookup(repo, 'main', ['nope.bin'])).toEqual({});
    expect(calls('/tree/')).toBe(7);
    expect(longTreeRepo().commits[0]?.files['zz-checkpoint']).toBeDefined();
  });
});

describe('one PR refresh per repo at a time', () => {
  it('a visit and a feature asking together share one listing', async () => {
    const db = await openPicklensDb('budget-1');
    const a = api();
    const repo = { type: 'model' as const, id: 'picklens/history' };
    const [x, y] = await Promise.all([
      refreshConversionPrsOnce(db, a, repo),
      refreshConversionPrsOnce(db, a, repo),
    ]);
    expect(x).toEqual(y);
    expect(calls('/discussions?')).toBe(1);
  });
});

describe('the fallback read', () => {
  const m = {
    repo: { type: 'model' as const, id: 'picklens/fixtures' },
    rev: 'main',
    path: 'model.safetensors',
  };
  const opts = () => ({ endpoint: hub.url, fetch: replicaFetch(hub.cert) });

  it('reads the repo file’s bytes and hands them back as base64', async () => {
    hub.knobs.spurious416Every = 0;
    const b64 = await handleReadRange({ ...m, start: 0, end: 8 }, opts());
    expect(base64ToBytes(b64)).toEqual(fixture('model.safetensors').subarray(0, 8));
    hub.knobs.spurious416Every = 5;
  });

  it('refuses a range that is not one', async () => {
    for (const [start, end] of [
      [-1, 8],
      [8, 8],
      [0, 64 * 1024 * 1024],
      [0.5, 2],
    ] as const)
      await expect(handleReadRange({ ...m, start, end }, opts())).rejects.toThrow(/readRange/);
  });

  it('base64 round trip, larger than one chunk', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7919) & 0xff);
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
  });
});

describe('a 429 holds every reader of the budget', () => {
  it('block() makes the next acquire wait; a 429 observed blocks for its Retry-After', async () => {
    let now = 0;
    const g = new RateGovernor(100, 300_000, 1, () => now);
    expect(g.waitMs).toBe(0);
    g.observe(new Response('', { status: 429, headers: { 'retry-after': '2' } }));
    expect(g.waitMs).toBe(2000);
    now = 1500;
    expect(g.waitMs).toBe(500);
    const waits: number[] = [];
    await g.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([500]);
  });

  it('after a 429 whose RateLimit says r=0;t=1, the window resets in 1 s with a full quota (no 5-minute stall)', async () => {
    let now = 0;
    const g = new RateGovernor(500, 300_000, 10, () => now);
    g.observe(new Response('', { status: 429, headers: { 'retry-after': '1', ratelimit: '"api";r=0;t=1' } }));
    const waits: number[] = [];
    // The second passes while the first caller sleeps (the fake clock moves with each wait).
    const onWait = (ms: number) => {
      waits.push(ms);
      now += ms;
    };
    for (let i = 0; i < 200; i++) await g.acquire(undefined, onWait);
    expect(waits).toEqual([1000]);
    expect(g.left).toBe(300);
  });
});
