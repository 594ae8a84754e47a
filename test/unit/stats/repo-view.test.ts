// One repo's view (the popup) and the stats page's filters, on hand-built records with hand-computed answers.
import { describe, expect, it } from 'vitest';
import {
  filterCommits,
  filterPrs,
  modelHistory,
  repoFindings,
  snapshotsOf,
  type ViewCommit,
} from '../../../lib/stats/repo-view';

const c = (sha: string, date: string, files: ViewCommit['files'], title = 'x', author = 'a'): ViewCommit => ({
  repoKey: 'model:o/r',
  sha,
  date,
  author,
  title,
  files,
});
const bin = (key: string) => ({
  path: 'pytorch_model.bin',
  size: 10,
  contentKey: key,
  paper: 'torch.save' as const,
  format: 'torch-zip' as const,
});
const st = (key: string) => ({
  path: 'model.safetensors',
  size: 10,
  contentKey: key,
  paper: 'safetensors' as const,
  format: 'safetensors' as const,
});

describe('modelHistory', () => {
  it('keeps only commits that change model files, with what changed and the formats after', () => {
    const rows = modelHistory([
      c('5', '2024-01-05', [bin('b2'), st('s1')]),
      c('1', '2024-01-01', []),
      c('2', '2024-01-02', [bin('b1')]),
      c('3', '2024-01-03', [bin('b1')]), // README only
      c('4', '2024-01-04', [bin('b1'), st('s1')], 'Adding `safetensors` variant of this model (#7)', 'u'),
      c('6', '2024-01-06', [st('s1')]),
      c('7', '2024-01-07', [st('s1'), { path: 'extra.bin', size: 5, contentKey: 'e' }]),
    ]);
    expect(rows.map((r) => r.sha)).toEqual(['2', '4', '5', '6', '7']);
    expect(rows.map((r) => [r.added, r.changed, r.removed])).toEqual([
      [['pytorch_model.bin'], [], []],
      [['model.safetensors'], [], []],
      [[], ['pytorch_model.bin'], []],
      [[], [], ['pytorch_model.bin']],
      [['extra.bin'], [], []],
    ]);
    expect(rows[1]?.bot).toBe(true);
    expect(rows[2]?.formats).toEqual([
      { format: 'safetensors', files: 1 },
      { format: 'torch-zip', files: 1 },
    ]);
    expect(rows[4]?.formats).toEqual([
      { format: 'safetensors', files: 1 },
      { format: 'unread', files: 1 },
    ]);
  });
});

describe('repoFindings', () => {
  it('kept pickles and a stale duplicate', () => {
    const f = repoFindings([
      c('1', '2023-01-01', [bin('b1')]),
      c('2', '2023-02-01', [bin('b1'), st('s1')]),
      c('3', '2023-03-01', [bin('b2'), st('s1')]),
    ]);
    expect(f.keptPickles).toEqual({
      safetensors: ['model.safetensors'],
      pickles: ['pytorch_model.bin'],
      convertedAt: '2023-02-01',
      sha: '2',
    });
    expect(f.stale).toEqual([
      { path: 'pytorch_model.bin', changedAt: '2023-03-01', safetensorsAt: '2023-02-01' },
    ]);
  });

  it('safetensors re-converted after the pickle changed: kept, not stale', () => {
    const f = repoFindings([
      c('1', '2023-01-01', [bin('b1')]),
      c('2', '2023-02-01', [bin('b1'), st('s1')]),
      c('3', '2023-03-01', [bin('b2'), st('s1')]),
      c('4', '2023-04-01', [bin('b2'), st('s2')]),
    ]);
    expect(f.keptPickles?.pickles).toEqual(['pytorch_model.bin']);
    expect(f.stale).toEqual([]);
  });

  it('pickles removed: nothing kept; safetensors from the start: no conversion; a lying name listed', () => {
    expect(
      repoFindings([c('1', '2023-01-01', [bin('b1')]), c('2', '2023-02-01', [st('s1')])]).keptPickles,
    ).toBeUndefined();
    const born = repoFindings([
      c('1', '2023-01-01', [
        st('s1'),
        bin('b1'),
        { ...bin('p'), path: 'x.safetensors', mismatch: 'named .safetensors but the bytes are torch-zip' },
      ]),
    ]);
    expect(born.keptPickles).toBeUndefined();
    expect(born.lying).toEqual([
      {
        path: 'x.safetensors',
        format: 'torch-zip',
        message: 'named .safetensors but the bytes are torch-zip',
      },
    ]);
    expect(repoFindings([])).toEqual({ stale: [], lying: [] });
  });
});

describe('filters', () => {
  const commits = [
    { repoKey: 'model:Org/a', date: '2022-12-31T23:00:00Z' },
    { repoKey: 'model:org/b', date: '2023-01-01T00:00:00Z' },
    { repoKey: 'dataset:org/c', date: '2023-06-30T10:00:00Z' },
    { repoKey: 'model:other/d', date: '2023-07-01T00:00:00Z' },
    { repoKey: 'model:gpt2', date: '2023-07-01T00:00:00Z' },
  ];
  it('by type, owner (case-insensitive) and inclusive dates', () => {
    const keys = (f: Parameters<typeof filterCommits>[1]) => filterCommits(commits, f).map((x) => x.repoKey);
    expect(keys({})).toHaveLength(5);
    expect(keys({ type: 'dataset' })).toEqual(['dataset:org/c']);
    expect(keys({ owner: 'ORG' })).toEqual(['model:Org/a', 'model:org/b', 'dataset:org/c']);
    expect(keys({ from: '2023-01-01', to: '2023-06-30' })).toEqual(['model:org/b', 'dataset:org/c']);
    expect(keys({ type: 'model', owner: 'org', from: '2023-01-01' })).toEqual(['model:org/b']);
    const prs = [
      { repoKey: 'model:org/a', num: 1, createdAt: '2022-05-01T00:00:00Z', status: 'open' as const },
      { repoKey: 'model:org/a', num: 2, createdAt: '2024-05-01T00:00:00Z', status: 'merged' as const },
    ];
    expect(filterPrs(prs, { to: '2023-12-31' }).map((p) => p.num)).toEqual([1]);
  });

  it('unread files count as unknown in the study view', () => {
    const [s] = snapshotsOf([c('1', '2023-01-01', [{ path: 'x.bin', size: 1 }, st('s')])]);
    expect(s?.files).toEqual([
      { path: 'x.bin', paper: 'unknown' },
      { path: 'model.safetensors', paper: 'safetensors' },
    ]);
  });
});

describe('studyStats', () => {
  it('the four figures over the filtered commits and PRs, counted by hand', async () => {
    const { studyStats, parseStudyRows } = await import('../../../lib/stats/repo-view');
    const commits = [
      // org/a: pickle in 2022, bot conversion in 2023, pickle kept.
      { ...c('a1', '2022-03-01', [bin('b1')]), repoKey: 'model:org/a' },
      {
        ...c(
          'a2',
          '2023-02-01',
          [bin('b1'), st('s1')],
          'Adding `safetensors` variant of this model (#1)',
          'SFconvertbot',
        ),
        repoKey: 'model:org/a',
      },
      // org/b: pickle in 2022, converted by hand in 2023 and the pickle removed.
      { ...c('b1', '2022-05-01', [bin('b2')]), repoKey: 'model:org/b' },
      { ...c('b2', '2023-06-01', [st('s2')]), repoKey: 'model:org/b' },
      // other/c: safetensors from the start, in 2024.
      { ...c('c1', '2024-01-01', [st('s3')]), repoKey: 'dataset:other/c' },
    ];
    const prs = [
      { repoKey: 'model:org/a', num: 1, createdAt: '2023-01-20T00:00:00Z', status: 'merged' },
      { repoKey: 'model:org/b', num: 2, createdAt: '2023-01-21T00:00:00Z', status: 'open' },
      { repoKey: 'dataset:other/c', num: 1, createdAt: '2024-01-02T00:00:00Z', status: 'closed' },
      { repoKey: 'dataset:other/c', num: 2, createdAt: '2024-01-03T00:00:00Z', status: 'weird' }, // not a state
    ];
    const all = studyStats(commits, prs, {});
    expect(all).toMatchObject({ repos: 3, commits: 5, pullRequests: 3 });
    expect(all.shares).toEqual([
      { year: '2022', repos: 2, counts: { 'torch.save': 2 } },
      { year: '2023', repos: 2, counts: { 'torch.save': 1, safetensors: 2 } },
      { year: '2024', repos: 1, counts: { safetensors: 1 } },
    ]);
    expect(all.adoption).toEqual([
      { month: '2023-02', bot: 1, other: 0 },
      { month: '2023-06', bot: 0, other: 1 },
      { month: '2024-01', bot: 0, other: 1 },
    ]);
    expect(all.prs).toEqual([
      { year: '2023', open: 1, closed: 0, merged: 1, draft: 0 },
      { year: '2024', open: 0, closed: 1, merged: 0, draft: 0 },
    ]);
    expect(all.kept).toEqual({ converted: 2, keptPickles: 1 });

    const models2023 = studyStats(commits, prs, { type: 'model', from: '2023-01-01', to: '2023-12-31' });
    expect(models2023).toMatchObject({ repos: 2, commits: 2, pullRequests: 2 });
    expect(models2023.shares).toEqual([
      { year: '2023', repos: 2, counts: { 'torch.save': 1, safetensors: 2 } },
    ]);
    // A study period: the histories up to its end, the rows from its start.
    expect(models2023.adoption).toEqual([
      { month: '2023-02', bot: 1, other: 0 },
      { month: '2023-06', bot: 0, other: 1 },
    ]);
    expect(models2023.kept).toEqual({ converted: 2, keptPickles: 1 });
    // Up to March 2023: org/b not converted yet, so no addition in June and one conversion only.
    const early = studyStats(commits, prs, { to: '2023-03-31' });
    expect(early.adoption).toEqual([{ month: '2023-02', bot: 1, other: 0 }]);
    expect(early.kept).toEqual({ converted: 1, keptPickles: 1 });
    expect(early.shares.map((y) => y.year)).toEqual(['2022', '2023']);
    // A safetensors file present before the period is not added again in it.
    expect(studyStats(commits, prs, { from: '2023-03-01' }).adoption).toEqual([
      { month: '2023-06', bot: 0, other: 1 },
      { month: '2024-01', bot: 0, other: 1 },
    ]);

    // The compact rows give the same numbers.
    const rows = ['model:org/a', 'model:org/b', 'dataset:other/c'].map((repoKey) => ({
      repoKey,
      json: JSON.stringify(
        commits
          .filter((x) => x.repoKey === repoKey)
          .map(({ sha, date, author, title, files }) => ({
            sha,
            date,
            author,
            title,
            files: files.map((f) => ({ path: f.path, paper: f.paper })),
          })),
      ),
    }));
    expect(studyStats(parseStudyRows(rows), prs, {})).toEqual(all);
  });
});
