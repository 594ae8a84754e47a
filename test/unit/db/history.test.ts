// Per-commit format history and batch collection, over IndexedDB (fake-indexeddb) and the replica's API and
// files: the labels come from the files' own bytes, read over HTTP at each commit.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchRunner, parseIdList, type BatchStatus } from '../../../lib/background/batch';
import { Collector } from '../../../lib/background/collect';
import { handleRefreshConversionPrs } from '../../../lib/background/handlers';
import {
  collectHistory,
  hubVerdictReader,
  type HistoryProgress,
  type ReadVerdict,
} from '../../../lib/background/history';
import { openPicklensDb, type PicklensDb } from '../../../lib/db/schema';
import { formatSharesByYear } from '../../../lib/stats/aggregates';
import { HubApi } from '../../../lib/hub/api';
import type { FetchLike } from '../../../lib/hub/http-source';
import { parseRepoId } from '../../../lib/hub/url';
import {
  modelHistory,
  parseStudyRows,
  repoFindings,
  snapshotsOf,
  type StudyCommit,
} from '../../../lib/stats/repo-view';
import { readFixtureManifest } from '../../support/fixtures';
import { replicaFetch } from '../../support/replica-client';
import { batchRepos, longHistoryRepo, sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
let fetchFn: FetchLike;
const counter = { calls: 0, inFlight: 0, maxInFlight: 0 };

beforeAll(async () => {
  hub = await startReplica({ repos: [...sampleRepos(), ...batchRepos(), longHistoryRepo()] });
  fetchFn = replicaFetch(hub.cert, counter);
});
afterAll(async () => {
  await hub?.close();
});

let n = 0;
const freshDb = () => openPicklensDb(`history-${++n}`);
const api = () => new HubApi({ endpoint: hub.url, fetch: fetchFn, backoffMs: 1 });
const reader = (): ReadVerdict => hubVerdictReader(hub.url, { fetch: fetchFn, backoffMs: 1 });
const history = { type: 'model' as const, id: 'picklens/history' };
const manifest = new Map(readFixtureManifest().map((r) => [r.file, r]));
const fx = (file: string) => {
  const r = manifest.get(file);
  if (!r) throw new Error(file);
  return r.format;
};

describe('collectHistory', () => {
  it('records every commit with the formats of its own bytes, and the popup rows and findings', async () => {
    const db = await freshDb();
    const progress: HistoryProgress[] = [];
    const state = await collectHistory(db, api(), history, {
      readVerdict: reader(),
      onProgress: (p) => progress.push(p),
      now: () => 42,
    });
    expect(state).toMatchObject({ at: 42, commits: 7, truncated: false, unread: 0 });
    const commits = await db.getAllFromIndex('commits', 'byRepo', 'model:picklens/history');
    expect(commits).toHaveLength(7);
    const rows = modelHistory(commits);
    // Commits 1 (README) and 6 (README) change no model file.
    expect(rows.map((r) => r.title)).toEqual([
      'Upload pytorch_model.bin',
      'Update pytorch_model.bin',
      'Add tf weights',
      'Adding `safetensors` variant of this model (#1)',
      'Update pytorch_model.bin',
    ]);
    const formats = rows.map((r) => r.formats.map((f) => f.format).sort());
    expect(formats).toEqual([
      [fx('torch_legacy.bin')],
      [fx('torch_state_dict.pt')],
      [fx('plain.h5'), fx('torch_state_dict.pt')].sort(),
      [fx('plain.h5'), fx('model.safetensors'), fx('torch_state_dict.pt')].sort(),
      [fx('plain.h5'), fx('model.safetensors'), fx('torch_whole_module.pt')].sort(),
    ]);
    expect(rows.map((r) => r.bot)).toEqual([false, false, false, true, false]);
    expect(rows[1]).toMatchObject({ added: [], changed: ['pytorch_model.bin'], removed: [] });
    const findings = repoFindings(commits);
    expect(findings.keptPickles).toMatchObject({
      safetensors: ['model.safetensors'],
      pickles: ['pytorch_model.bin'],
      convertedAt: '2023-01-15T09:00:00.000Z',
    });
    expect(findings.stale).toEqual([
      {
        path: 'pytorch_model.bin',
        changedAt: '2024-02-01T09:00:00.000Z',
        safetensorsAt: '2023-01-15T09:00:00.000Z',
      },
    ]);
    expect(findings.lying).toEqual([]);
    // The compact rows the stats page reads say the same as the commit records.
    const study = (list: StudyCommit[]) =>
      snapshotsOf(list)
        .map((c) => ({ ...c, files: c.files.map((f) => ({ path: f.path, paper: f.paper })) }))
        .sort((a, b) => (a.date < b.date ? -1 : 1));
    expect(study(parseStudyRows(await db.getAll('studyRows')))).toEqual(study(commits));
    // Progress: every phase, counts never going back within a phase, ending with done.
    expect(progress.at(-1)?.phase).toBe('done');
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['commits', 'trees', 'files', 'done']));
    const files = progress.filter((p) => p.phase === 'files');
    expect(files.at(-1)).toMatchObject({ done: 5, total: 5 }); // 5 distinct contents of model files
    for (let i = 1; i < files.length; i++) expect(files[i]!.done).toBeGreaterThanOrEqual(files[i - 1]!.done);
  });

  it('a long history costs a few trees by bisection, and gives what fetching every tree gives', async () => {
    const long = { type: 'model' as const, id: 'picklens/long-history' };
    const bisected = await freshDb();
    const a = api();
    const state = await collectHistory(bisected, a, long, { readVerdict: reader() });
    const exhaustive = await freshDb();
    const b = api();
    await collectHistory(exhaustive, b, long, { readVerdict: reader(), exhaustive: true });
    expect(b.calls).toBe(1 + 40);
    expect(a.calls).toBe(1 + 14); // 14 trees instead of 40
    expect(state).toMatchObject({ commits: 40, trees: a.calls - 1, inferred: 40 - (a.calls - 1) });
    const rows = async (db: PicklensDb) =>
      modelHistory(await db.getAllFromIndex('commits', 'byRepo', 'model:picklens/long-history')).map((r) => ({
        title: r.title,
        formats: r.formats,
      }));
    const byTree = await rows(exhaustive);
    expect(byTree.map((r) => r.title)).toEqual([
      'Upload pytorch_model.bin',
      'Adding `safetensors` variant of this model (#1)',
      'Add extra.bin',
      'Delete extra.bin',
      'Update pytorch_model.bin',
    ]);
    // The blind spot, stated: extra.bin added at 31 and removed at 32 lies between two equal commits the
    // bisection compared, so it is not seen; every other change is found at its exact commit.
    expect(await rows(bisected)).toEqual(byTree.filter((r) => !r.title.includes('extra.bin')));
    // The yearly shares agree (each year's last commit is the same either way).
    const shares = async (db: PicklensDb) =>
      formatSharesByYear(
        snapshotsOf(await db.getAllFromIndex('commits', 'byRepo', 'model:picklens/long-history')),
      );
    expect(await shares(bisected)).toEqual(await shares(exhaustive));
  });

  it('file reads stay within a resolver budget: past it they wait for the window, and nothing is lost', async () => {
    const { RateGovernor } = await import('../../../lib/hub/api');
    const db = await freshDb();
    const waits: string[] = [];
    const read = hubVerdictReader(hub.url, {
      fetch: fetchFn,
      backoffMs: 1,
      // 3 reads per 200 ms window, none kept in reserve: the history's 5 contents need a second window.
      governor: new RateGovernor(3, 200, 0, undefined, 'resolvers'),
      onWait: (_ms, why) => waits.push(why),
    });
    const state = await collectHistory(db, api(), history, { readVerdict: read });
    expect(state.unread).toBe(0);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatch(/budget is spent/);
  });

  it('a second run fetches the commits list only: trees and verdicts are reused', async () => {
    const db = await freshDb();
    await collectHistory(db, api(), history, { readVerdict: reader() });
    const before = hub.log.length;
    const a = api();
    let reads = 0;
    const r = reader();
    await collectHistory(db, a, history, { readVerdict: (...args) => (reads++, r(...args)) });
    expect(a.calls).toBe(1);
    expect(reads).toBe(0);
    expect(hub.log.slice(before).map((l) => l.path)).toEqual([
      '/api/models/picklens/history/commits/main?limit=1000',
    ]);
  });

  it('contents already judged in another repo are not read again', async () => {
    const db = await freshDb();
    await collectHistory(db, api(), history, { readVerdict: reader() });
    let reads = 0;
    const r = reader();
    await collectHistory(db, api(), parseRepoId('batch/repo-00')!, {
      readVerdict: (...args) => (reads++, r(...args)),
    });
    expect(reads).toBe(0);
    const commits = await db.getAllFromIndex('commits', 'byRepo', 'model:batch/repo-00');
    expect(commits.every((c) => c.files.every((f) => f.paper && f.format && f.risk))).toBe(true);
  });

  it('a dataset repo: its API and its files under /datasets/', async () => {
    const db = await freshDb();
    const state = await collectHistory(
      db,
      api(),
      { type: 'dataset', id: 'datasets-org/data' },
      { readVerdict: reader() },
    );
    expect(state).toMatchObject({ commits: 1, unread: 0 });
    const [c] = await db.getAllFromIndex('commits', 'byRepo', 'dataset:datasets-org/data');
    expect(c?.files).toMatchObject([{ path: 'data/train.npz', format: fx('arrays.npz'), risk: 'safe' }]);
  });

  it('a lying extension is a finding', async () => {
    const db = await freshDb();
    await collectHistory(db, api(), { type: 'model', id: 'picklens/fixtures' }, { readVerdict: reader() });
    const commits = await db.getAllFromIndex('commits', 'byRepo', 'model:picklens/fixtures');
    const lying = repoFindings(commits).lying.map((l) => l.path);
    expect(lying).toContain('pickle_named.safetensors');
    expect(lying).not.toContain('model.safetensors');
  });

  it('only the newest commits when there are too many, and says so', async () => {
    const db = await freshDb();
    const state = await collectHistory(db, api(), history, { readVerdict: reader(), maxCommits: 3 });
    expect(state).toMatchObject({ commits: 3, truncated: true });
    const commits = await db.getAllFromIndex('commits', 'byRepo', 'model:picklens/history');
    expect(commits.map((c) => c.title).sort()).toEqual(
      [
        'Adding `safetensors` variant of this model (#1)',
        'Update README.md',
        'Update pytorch_model.bin',
      ].sort(),
    );
  });

  it('files that cannot be read stay unlabelled and are counted; a later run labels them', async () => {
    const db = await freshDb();
    const failing: ReadVerdict = async (repo, rev, file) => {
      const v = await reader()(repo, rev, file);
      return file.path === 'tf_model.h5'
        ? { ...v, findings: [{ code: 'read-failed', severity: 'error', message: 'x' }] }
        : v;
    };
    const first = await collectHistory(db, api(), history, { readVerdict: failing });
    expect(first.unread).toBe(4); // tf_model.h5 is present after 4 commits
    const second = await collectHistory(db, api(), history, { readVerdict: reader() });
    expect(second.unread).toBe(0);
  });

  it('a missing repo is an error, and nothing is recorded', async () => {
    const db = await freshDb();
    await expect(
      collectHistory(db, api(), { type: 'model', id: 'nobody/nothing' }, { readVerdict: reader() }),
    ).rejects.toMatchObject({ code: 'repo-not-found' });
    expect(await db.count('repos')).toBe(0);
  });

  it('an abort keeps the trees already fetched', async () => {
    const db = await freshDb();
    const ac = new AbortController();
    await expect(
      collectHistory(db, api(), history, {
        readVerdict: reader(),
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'files') ac.abort();
        },
      }),
    ).rejects.toThrow();
    expect(await db.count('commits')).toBe(7);
    expect(await db.get('repos', 'model:picklens/history')).toBeUndefined();
  });
});

describe('Collector', () => {
  it('joins a second request for the same repo; its progress is readable while it runs', async () => {
    const db = await freshDb();
    const a = api();
    const c = new Collector(db, a, reader());
    const seen: HistoryProgress[] = [];
    const first = c.collect(history, undefined, (p) => seen.push(p));
    const second = c.collect(history);
    expect(c.progress(history)).not.toBeUndefined();
    const [x, y] = await Promise.all([first, second]);
    expect(x).toBe(y);
    expect(c.progress(history)).toBeNull();
    // One PR listing, the merged PR's events, one commits listing, 7 trees: each once.
    expect(a.calls).toBe(1 + 1 + 1 + 7);
    expect(seen.at(-1)?.phase).toBe('done');
    expect(await db.count('pullRequests')).toBe(2);
  });

  it('a PR listing that fails does not lose the history; gated files are counted unread; a missing repo stops', async () => {
    const db = await freshDb();
    const failing: FetchLike = (url, init) =>
      url.includes('/discussions')
        ? Promise.resolve(new Response('Discussions are disabled', { status: 403 }))
        : fetchFn(url, init);
    const c = new Collector(db, new HubApi({ endpoint: hub.url, fetch: failing, backoffMs: 1 }), reader());
    await expect(c.collect(history)).rejects.toThrow(
      /history recorded, but the pull requests could not be listed/,
    );
    expect((await db.get('repos', 'model:picklens/history'))?.history?.commits).toBe(7);

    // A gated repo lists its commits and trees (as the Hub does), but its files cannot be read: counted.
    const gated = await new Collector(db, api(), reader()).collect({ type: 'model', id: 'picklens/gated' });
    expect(gated.unread).toBeGreaterThan(0);
    // A missing repo stops at the PR listing.
    const a = api();
    await expect(
      new Collector(db, a, reader()).collect({ type: 'model', id: 'no/such' }),
    ).rejects.toMatchObject({
      code: 'repo-not-found',
    });
    expect(a.calls).toBe(1);
  });
});

describe('batch collection', () => {
  const collector =
    (db: PicklensDb, seen: string[] = []) =>
    async (
      repo: { type: 'model' | 'dataset' | 'space'; id: string },
      signal: AbortSignal,
      onProgress: (p: HistoryProgress) => void,
    ) => {
      seen.push(repo.id);
      await handleRefreshConversionPrs(db, api(), repo);
      return collectHistory(db, api(), repo, { readVerdict: reader(), signal, onProgress });
    };

  it('asking for the status of a batch recorded as running, that nothing runs, runs it', async () => {
    const db = await freshDb();
    await db.put(
      'jobs',
      { ids: ['model:batch/repo-01'], state: 'running', results: {}, startedAt: 1, updatedAt: 1 },
      'batch',
    );
    const runner = new BatchRunner(db, (repo, signal, onProgress) =>
      collectHistory(db, api(), repo, { readVerdict: reader(), signal, onProgress }),
    );
    expect((await runner.status())?.state).toBe('running');
    await runner.idle();
    expect(await runner.status()).toMatchObject({ state: 'done', done: 1, failed: 0 });
  });

  it('a batch asked to read every tree passes it on to each repo', async () => {
    const db = await freshDb();
    const runner = new BatchRunner(db, (repo, signal, onProgress, exhaustive) =>
      collectHistory(db, api(), repo, { readVerdict: reader(), signal, onProgress, exhaustive }),
    );
    expect((await runner.start('picklens/long-history', true))?.exhaustive).toBe(true);
    await runner.idle();
    expect((await db.get('repos', 'model:picklens/long-history'))?.history).toMatchObject({
      trees: 40,
      inferred: 0,
    });
  });

  it('parses pasted ids: one per line, commas allowed; a line with spaces is one bad entry, with its number', () => {
    expect(
      parseIdList(
        'org/a\nhttps://huggingface.co/org/a/tree/main\n datasets/d/e, spaces/s/t\nmodel:x/y, gpt2\n???/!!\nthis is not a repo\nhttps://example.com/a/b',
      ),
    ).toEqual({
      keys: ['model:org/a', 'dataset:d/e', 'space:s/t', 'model:x/y', 'model:gpt2'],
      invalid: ['???/!!', 'this is not a repo', 'https://example.com/a/b'],
      lines: [5, 6, 7],
    });
  });

  it('a batch with a bad line is refused before anything is fetched, naming the line', async () => {
    const db = await freshDb();
    const seen: string[] = [];
    const runner = new BatchRunner(db, collector(db, seen));
    await expect(runner.start('org/a\nthis is not a repo\norg/b')).rejects.toThrow(
      '1 line is not a repo id (line 2: "this is not a repo"); nothing was fetched.',
    );
    expect(await runner.status()).toBeNull();
    expect(seen).toEqual([]);
  });

  it('collects every repo, lists errors per repo, and goes on after a restart half-way', async () => {
    const db = await freshDb();
    const ids = batchRepos().map((r) => r.id);
    const seen: string[] = [];
    const first = new BatchRunner(db, collector(db, seen));
    await first.start([...ids.slice(0, 10), 'nobody/nothing', ...ids.slice(10)].join('\n'));
    // Stop it (as a worker being stopped) after a few repos.
    while (((await first.status())?.done ?? 0) < 5) await new Promise((r) => setTimeout(r, 5));
    await first.pause();
    const paused = (await first.status()) as BatchStatus;
    expect(paused.state).toBe('paused');
    expect(paused.done).toBeLessThan(paused.total);
    // A new runner (the worker restarted) resumes where the record says.
    const second = new BatchRunner(db, collector(db, seen));
    await second.resume();
    await second.idle();
    const end = (await second.status()) as BatchStatus;
    expect(end).toMatchObject({ state: 'done', total: 21, done: 21, failed: 1 });
    expect(end.errors.map((e) => e.id)).toEqual(['model:nobody/nothing']);
    // Said in words naming the repo, not the API path that failed.
    expect(end.errors[0]?.error).toBe(
      'There is no repo nobody/nothing on the Hub, or it is private and you cannot see it.',
    );
    for (const id of ids) expect((await db.get('repos', `model:${id}`))?.history?.commits).toBe(3);
    // Each repo done once, except the one interrupted by the pause.
    expect(seen.length).toBeLessThanOrEqual(ids.length + 2);
  });
});
