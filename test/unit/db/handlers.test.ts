// The background's handlers over IndexedDB (fake-indexeddb) and the replica's API.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStudyRows } from '../../../lib/stats/repo-view';
import { studyMeasures } from '../../../lib/stats/study';
import {
  handleGetVerdict,
  handleLogVisit,
  handlePutVerdict,
  handleRefreshConversionPrs,
  verdictKey,
} from '../../../lib/background/handlers';
import { isConversionPr } from '../../../lib/hub/convert-bot';
import { DB_VERSION, MIGRATIONS, RECORD_STORES, openPicklensDb } from '../../../lib/db/schema';
import { memorySource } from '../../../lib/formats/bytes';
import { classify } from '../../../lib/formats/classify';
import { ENGINE_VERSION } from '../../../lib/formats/types';
import { HubApi } from '../../../lib/hub/api';
import { replicaFetch } from '../../support/replica-client';
import { historyRepo, sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
beforeAll(async () => {
  hub = await startReplica({ repos: sampleRepos() });
});
afterAll(async () => {
  await hub?.close();
});

let n = 0;
const freshDb = () => openPicklensDb(`test-${++n}`);
const repo = { type: 'model' as const, id: 'picklens/history' };

describe('schema', () => {
  it('opens at the newest version with every store, through the migrations in order', async () => {
    const db = await freshDb();
    expect(db.version).toBe(DB_VERSION);
    expect(MIGRATIONS).toHaveLength(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'commits',
      'files',
      'jobs',
      'pullRequests',
      'repos',
      'settings',
      'studyRows',
      'untrusted',
      'verdicts',
      'visits',
    ]);
    db.close();
  });

  it('a version 1 database with records opens at the newest version with its records intact', async () => {
    const name = `test-migrate-${++n}`;
    const v1 = await openPicklensDb(name, 1);
    expect([...v1.objectStoreNames]).not.toContain('commits');
    await handleLogVisit(v1, { repo, url: 'https://huggingface.co/picklens/history', page: 'home' }, 5);
    const verdict = await classify(memorySource(new Uint8Array([0x80, 2, 0x4e, 0x2e])), { name: 'a.pkl' });
    // Written as version 1 wrote them (its stores only).
    await v1.put('verdicts', {
      key: verdictKey('git:1'),
      contentKey: 'git:1',
      engine: ENGINE_VERSION,
      verdict,
      at: 6,
    });
    await v1.put('files', {
      repoKey: 'model:picklens/history',
      rev: 'main',
      path: 'a.pkl',
      contentKey: 'git:1',
      at: 6,
    });
    const before = {
      repos: await v1.getAll('repos'),
      visits: await v1.getAll('visits'),
      files: await v1.getAll('files'),
    };
    v1.close();
    const db = await openPicklensDb(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await db.getAll('repos')).toEqual(before.repos);
    expect(await db.getAll('visits')).toEqual(before.visits);
    expect(await db.getAll('files')).toEqual(before.files);
    expect(await handleGetVerdict(db, 'git:1')).toEqual(verdict);
    expect(await db.count('commits')).toBe(0);
    db.close();
  });
});

describe('schema 2 → 3', () => {
  it("rewrites every repo's study rows from its commits (the ONNX class needs the real format)", async () => {
    const name = `test-migrate-${++n}`;
    const v2 = await openPicklensDb(name, 2);
    await v2.put('commits', {
      repoKey: 'model:org/onnx',
      sha: 'a',
      date: '2023-01-01T00:00:00.000Z',
      author: 'x',
      title: 'export',
      files: [{ path: 'model.onnx', size: 100, paper: 'unknown', format: 'onnx', risk: 'safe' }],
    });
    // As version 2 wrote the rows: the label only.
    await v2.put('studyRows', {
      repoKey: 'model:org/onnx',
      json: JSON.stringify([
        {
          sha: 'a',
          date: '2023-01-01T00:00:00.000Z',
          author: 'x',
          title: 'export',
          files: [{ path: 'model.onnx', paper: 'unknown' }],
        },
      ]),
    });
    expect(studyMeasures(parseStudyRows(await v2.getAll('studyRows')), []).yearlyShares[0]?.files).toBe(0);
    v2.close();
    const db = await openPicklensDb(name);
    expect(db.version).toBe(DB_VERSION);
    const m = studyMeasures(parseStudyRows(await db.getAll('studyRows')), []);
    expect(m.yearlyShares).toEqual([
      {
        year: 2023,
        files: 1,
        percent: { ONNX: 100, 'h5/hdf5': 0, joblib: 0, numpy: 0, pickle: 0, safetensors: 0, 'torch.save': 0 },
      },
    ]);
    expect(await db.count('commits')).toBe(1);
    db.close();
  });
});

describe('handlers', () => {
  it('verdicts: stored by content key and engine version, found again', async () => {
    const db = await freshDb();
    const verdict = await classify(memorySource(new Uint8Array([0x80, 2, 0x4e, 0x2e])), { name: 'a.pkl' });
    expect(await handleGetVerdict(db, 'sha256:abc')).toBeNull();
    await handlePutVerdict(db, { contentKey: 'sha256:abc', verdict, repo, rev: 'main', path: 'a.pkl' });
    expect(await handleGetVerdict(db, 'sha256:abc')).toEqual(verdict);
    expect(verdictKey('sha256:abc')).toBe(`sha256:abc@${ENGINE_VERSION}`);
    expect(await db.get('files', ['model:picklens/history', 'main', 'a.pkl'])).toMatchObject({
      contentKey: 'sha256:abc',
    });
  });

  it('visits: each one logged, the repo counted', async () => {
    const db = await freshDb();
    await handleLogVisit(db, { repo, url: 'https://huggingface.co/picklens/history', page: 'home' }, 1000);
    await handleLogVisit(
      db,
      { repo, url: 'https://huggingface.co/picklens/history/tree/main', page: 'tree' },
      2000,
    );
    expect(await db.getAll('visits')).toHaveLength(2);
    expect(await db.get('repos', 'model:picklens/history')).toMatchObject({
      visits: 2,
      firstVisit: 1000,
      lastVisit: 2000,
    });
  });

  it('conversion PRs: recorded with their state; a change on the replica is a new history entry', async () => {
    const db = await freshDb();
    const api = new HubApi({ endpoint: hub.url, fetch: replicaFetch(hub.cert) });
    expect(await handleRefreshConversionPrs(db, api, repo, 1000)).toEqual([
      { num: 1, status: 'merged' },
      { num: 3, status: 'open' },
    ]);
    const spec = historyRepo();
    const pr3 = spec.discussions?.find((d) => d.num === 3);
    if (pr3) pr3.status = 'closed';
    hub.setRepo(spec);
    await handleRefreshConversionPrs(db, api, repo, 2000);
    await handleRefreshConversionPrs(db, api, repo, 3000); // no change: no new entry
    expect((await db.get('pullRequests', ['model:picklens/history', 3]))?.history).toEqual([
      { status: 'open', at: 1000 },
      { status: 'closed', at: 2000 },
    ]);
    expect((await db.get('pullRequests', ['model:picklens/history', 1]))?.history).toEqual([
      { status: 'merged', at: 1000 },
    ]);
    // When and by whom #1 was merged: the Hub's events, fetched once (not again while the status holds).
    expect((await db.get('pullRequests', ['model:picklens/history', 1]))?.events).toEqual([
      { status: 'merged', at: '2023-01-15T09:00:00.000Z', by: 'alice', staff: false },
    ]);
    const before = api.calls;
    await handleRefreshConversionPrs(db, api, repo, 4000);
    expect(api.calls - before).toBe(1); // the listing only
    hub.setRepo(historyRepo());
  });

  it('recognises the bot case-insensitively and by its exact title', () => {
    const pr = {
      isPullRequest: true,
      author: { name: 'SFConvertBot' },
      title: 'Adding `safetensors` variant of this model',
    };
    expect(isConversionPr(pr)).toBe(true);
    expect(isConversionPr({ ...pr, title: 'Adding safetensors' })).toBe(false);
    expect(isConversionPr({ ...pr, isPullRequest: false })).toBe(false);
  });
});

describe('settings and clearing', () => {
  it('settings: defaults, patches, and nothing unknown or out of bounds', async () => {
    const { handleGetSettings, handleSetSettings } = await import('../../../lib/background/handlers');
    const { DEFAULT_SETTINGS } = await import('../../../lib/settings');
    const db = await freshDb();
    expect(await handleGetSettings(db)).toEqual(DEFAULT_SETTINGS);
    expect(await handleSetSettings(db, { treeBadges: false, concurrency: 99 })).toMatchObject({
      treeBadges: false,
      concurrency: 16,
    });
    await handleSetSettings(db, { bogus: 1 } as never);
    expect(await handleGetSettings(db)).toEqual({ ...DEFAULT_SETTINGS, treeBadges: false, concurrency: 16 });
  });

  it('clear my data: every record goes, settings stay', async () => {
    const { handleClearData, handleGetSettings, handleSetSettings } =
      await import('../../../lib/background/handlers');
    const db = await freshDb();
    await handleSetSettings(db, { scanEverything: true });
    await handleLogVisit(db, { repo, url: 'u', page: 'home' });
    const verdict = await classify(memorySource(new Uint8Array([0x80, 2, 0x4e, 0x2e])));
    await handlePutVerdict(db, { contentKey: 'git:1', verdict, repo, rev: 'main', path: 'a.pkl' });
    expect(await handleClearData(db)).toEqual({ cleared: 4 });
    for (const s of RECORD_STORES) expect(await db.count(s)).toBe(0);
    expect((await handleGetSettings(db)).scanEverything).toBe(true);
  });
});
