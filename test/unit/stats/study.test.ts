// The study's definitions (lib/stats/study.ts) on a record computed by hand: four repos over six years —
// a year with no model file, a carried-forward year, ONNX, a tool commit adding shards, a developer's
// safetensors commit, a repo that deleted pytorch_model.bin, an undetermined `.model` file.
import { describe, expect, it } from 'vitest';
import {
  safetensorsCommits,
  studyClass,
  studyKeptPickles,
  studyMergedBy,
  studyPullRequests,
  studyYearlyShares,
  timeToAdoption,
  type StudyCommitIn,
} from '../../../lib/stats/study';

const TOOL = 'Adding `safetensors` variant of this model';
const at = (d: string) => `${d}T09:00:00.000Z`;
const pt = { path: 'pytorch_model.bin', paper: 'torch.save' as const };
const args = { path: 'training_args.bin', paper: 'pickle' as const };
const spm = { path: 'tokenizer.model', paper: 'unknown' as const, format: 'unknown' as const };

const record: StudyCommitIn[] = [
  // D: since 2019, never a model file (README and config only).
  {
    repoKey: 'model:d',
    sha: 'd1',
    date: at('2019-05-01'),
    author: 'x',
    title: 'init',
    files: [{ path: 'config.json' }],
  },
  // A: torch.save in 2021, + h5 in 2022, nothing in 2023 (carried), the tool's shards in 2024.
  { repoKey: 'model:a', sha: 'a1', date: at('2021-03-01'), author: 'x', title: 'weights', files: [pt] },
  {
    repoKey: 'model:a',
    sha: 'a2',
    date: at('2022-06-01'),
    author: 'x',
    title: 'tf',
    files: [pt, { path: 'tf_model.h5', paper: 'hdf5' }],
  },
  {
    repoKey: 'model:a',
    sha: 'a3',
    date: at('2024-02-01'),
    author: 'maintainer',
    title: `${TOOL} (#1)`,
    files: [
      pt,
      { path: 'tf_model.h5', paper: 'hdf5' },
      { path: 'model-00001-of-00002.safetensors', paper: 'safetensors' },
      { path: 'model-00002-of-00002.safetensors', paper: 'safetensors' },
      { path: 'model.safetensors.index.json' },
    ],
  },
  // B: ONNX (R1–R5 unknown, bytes onnx) and numpy in 2022; a developer's safetensors in 2023; ONNX deleted 2024.
  {
    repoKey: 'model:b',
    sha: 'b1',
    date: at('2022-11-01'),
    author: 'y',
    title: 'export',
    files: [
      { path: 'model.onnx', paper: 'unknown', format: 'onnx' },
      { path: 'weights.npy', paper: 'numpy' },
    ],
  },
  {
    repoKey: 'model:b',
    sha: 'b2',
    date: at('2023-05-01'),
    author: 'y',
    title: 'Add safetensors',
    files: [
      { path: 'model.onnx', paper: 'unknown', format: 'onnx' },
      { path: 'weights.npy', paper: 'numpy' },
      { path: 'model.safetensors', paper: 'safetensors' },
    ],
  },
  {
    repoKey: 'model:b',
    sha: 'b3',
    date: at('2024-07-01'),
    author: 'y',
    title: 'drop onnx',
    files: [
      { path: 'weights.npy', paper: 'numpy' },
      { path: 'model.safetensors', paper: 'safetensors' },
    ],
  },
  // C: pickles and a sentencepiece .model (undetermined) in 2023; the tool's commit (its body names the tool);
  // pytorch_model.bin deleted in 2024, training_args.bin kept.
  {
    repoKey: 'model:c',
    sha: 'c1',
    date: at('2023-01-10'),
    author: 'z',
    title: 'upload',
    files: [pt, args, spm],
  },
  {
    repoKey: 'model:c',
    sha: 'c2',
    date: at('2023-08-01'),
    author: 'z',
    title: 'Merge pull request',
    tool: true,
    files: [pt, args, spm, { path: 'model.safetensors', paper: 'safetensors' }],
  },
  {
    repoKey: 'model:c',
    sha: 'c3',
    date: at('2024-01-01'),
    author: 'z',
    title: 'Delete pytorch_model.bin',
    files: [args, spm, { path: 'model.safetensors', paper: 'safetensors' }],
  },
];

describe("the study's definitions, by hand", () => {
  it('classes: the 16 extensions only; dill is pickle; unknown + onnx bytes is ONNX; else undetermined', () => {
    expect(studyClass({ path: 'config.json' })).toBeUndefined();
    expect(studyClass({ path: 'x.dill', paper: 'dill' })).toBe('pickle');
    expect(studyClass({ path: 'x.pt', paper: 'torch.jit' })).toBe('torch.save');
    expect(studyClass({ path: 'x.bin', paper: 'pytorch' })).toBe('torch.save');
    expect(studyClass({ path: 'm.onnx', paper: 'unknown', format: 'onnx' })).toBe('ONNX');
    expect(studyClass(spm)).toBe('undetermined');
    expect(studyClass({ path: 'x.gguf', paper: 'unknown', format: 'gguf' })).toBeUndefined();
    expect(studyClass({ path: 'unread.bin' })).toBe('undetermined');
  });

  it('yearly shares: files, carried forward, from each repo first year; an empty year is 0 files', () => {
    const y = studyYearlyShares(record);
    expect(y.map((r) => [r.year, r.files, r.undetermined, r.repos])).toEqual([
      [2019, 0, 0, 1],
      [2020, 0, 0, 1],
      [2021, 1, 0, 2],
      [2022, 4, 0, 3],
      [2023, 8, 1, 4],
      [2024, 8, 1, 4],
    ]);
    expect(y[0]?.percent).toEqual({
      ONNX: 0,
      'h5/hdf5': 0,
      joblib: 0,
      numpy: 0,
      pickle: 0,
      safetensors: 0,
      'torch.save': 0,
    });
    expect(y[2]?.percent['torch.save']).toBe(100);
    expect(y[3]?.percent).toEqual({
      ONNX: 25,
      'h5/hdf5': 25,
      joblib: 0,
      numpy: 25,
      pickle: 0,
      safetensors: 0,
      'torch.save': 25,
    });
    expect(y[4]?.percent).toEqual({
      ONNX: 12.5,
      'h5/hdf5': 12.5,
      joblib: 0,
      numpy: 12.5,
      pickle: 12.5,
      safetensors: 25,
      'torch.save': 25,
    });
    expect(y[5]?.percent).toEqual({
      ONNX: 0,
      'h5/hdf5': 12.5,
      joblib: 0,
      numpy: 12.5,
      pickle: 12.5,
      safetensors: 50,
      'torch.save': 12.5,
    });
  });

  it('safetensors commits: a new safetensors path; the tool by its message (title or body)', () => {
    const s = safetensorsCommits(record);
    expect(s.map((c) => [c.sha, c.tool])).toEqual([
      ['b2', false],
      ['c2', true],
      ['a3', true],
    ]);
  });

  it('kept pickles: converted by the tool, newest commit still holding pytorch_model.bin (and any pickle)', () => {
    expect(studyKeptPickles(record)).toEqual({ convertedRepos: 2, keptPytorchModelBin: 1, keptAnyPickle: 2 });
  });

  it('time to adoption from 2022-09-22; PR states', () => {
    expect(timeToAdoption(safetensorsCommits(record))).toEqual({
      days: [221, 313, 497],
      p80: 497,
      median: 313,
    });
    expect(timeToAdoption([])).toEqual({ days: [], p80: undefined, median: undefined });
    expect(
      studyPullRequests(['open', 'open', 'merged', 'closed', 'draft'].map((status) => ({ status }))),
    ).toEqual({
      total: 5,
      open: 2,
      merged: 1,
      closed: 1,
      draft: 1,
    });
    expect(studyYearlyShares([])).toEqual([]);
  });

  it('who merged: the event that set the status, staff by its isHf; no event or no flag is not known', () => {
    const ev = (status: string, by: string, staff?: boolean) => ({
      status,
      by,
      ...(staff === undefined ? {} : { staff }),
    });
    expect(
      studyMergedBy([
        // Closed by the owner, reopened, then merged by staff: the last merge decides.
        {
          status: 'merged',
          events: [ev('closed', 'alice', false), ev('open', 'alice', false), ev('merged', 'hf', true)],
        },
        { status: 'merged', events: [ev('merged', 'alice', false)] },
        { status: 'merged', events: [ev('merged', 'ghost')] }, // a deleted account: no flag
        { status: 'merged' }, // events never fetched
        { status: 'closed', events: [ev('closed', 'hf', true)] }, // not merged: not counted
        { status: 'open' },
      ]),
    ).toEqual({ staff: 1, others: 1, unknown: 2 });
  });
});
