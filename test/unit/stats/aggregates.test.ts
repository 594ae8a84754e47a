// The study's aggregates on hand-built records; every expected number is worked out by hand in a comment.
import { describe, expect, it } from 'vitest';
import {
  convertedKeptPickles,
  formatSharesByYear,
  isBotMerge,
  prStatesByYear,
  safetensorsAdditions,
  unknownByRealFormat,
  type CommitSnapshot,
} from '../../../lib/stats/aggregates';

const f = (path: string, paper: CommitSnapshot['files'][number]['paper']) => ({ path, paper });
const commit = (
  repoKey: string,
  date: string,
  files: CommitSnapshot['files'],
  author = 'alice',
  title = 'update',
): CommitSnapshot => ({ repoKey, sha: `${repoKey}@${date}`, date, author, title, files });

// Repo A: pickle in 2022; the bot's safetensors merged in 2023; pickle kept.
// Repo B: pickle in 2022, still pickle only at the end of 2023.
// Repo C: safetensors from its first commit (2023), never pickle; adds a second shard in 2024 by hand.
// Repo D: pickle in 2023, safetensors added by its owner in 2024, pickle deleted in the same commit.
const commits: CommitSnapshot[] = [
  commit('A', '2022-03-01', [f('pytorch_model.bin', 'pytorch')]),
  commit('A', '2022-11-20', [f('pytorch_model.bin', 'torch.save')]),
  commit(
    'A',
    '2023-01-15',
    [f('pytorch_model.bin', 'torch.save'), f('model.safetensors', 'safetensors')],
    'SFconvertbot',
    'Adding `safetensors` variant of this model (#1)',
  ),
  commit('B', '2022-05-01', [f('model.pkl', 'pickle')]),
  commit('B', '2023-06-01', [f('model.pkl', 'pickle'), f('tf_model.h5', 'hdf5')]),
  commit('C', '2023-02-01', [f('model-1.safetensors', 'safetensors')]),
  commit('C', '2024-04-01', [
    f('model-1.safetensors', 'safetensors'),
    f('model-2.safetensors', 'safetensors'),
  ]),
  commit('D', '2023-09-01', [f('pytorch_model.bin', 'torch.save')]),
  commit('D', '2024-02-10', [f('model.safetensors', 'safetensors')], 'dave', 'convert to safetensors'),
];

describe('the study’s aggregates', () => {
  it('format shares by year, from each repo’s last commit in that year', () => {
    expect(formatSharesByYear(commits)).toEqual([
      // 2022: A's last commit (11-20) has torch.save; B's (05-01) has pickle.
      { year: '2022', repos: 2, counts: { 'torch.save': 1, pickle: 1 } },
      // 2023: A (01-15) torch.save+safetensors; B (06-01) pickle+hdf5; C (02-01) safetensors; D (09-01) torch.save.
      { year: '2023', repos: 4, counts: { 'torch.save': 2, safetensors: 2, pickle: 1, hdf5: 1 } },
      // 2024: C (04-01) safetensors; D (02-10) safetensors. A and B have no commit in 2024.
      { year: '2024', repos: 2, counts: { safetensors: 2 } },
    ]);
  });

  it('commits adding safetensors, by month, the bot apart', () => {
    expect(safetensorsAdditions(commits)).toEqual([
      { month: '2023-01', bot: 1, other: 0 }, // A, the bot's merge
      { month: '2023-02', bot: 0, other: 1 }, // C's first commit
      { month: '2024-02', bot: 0, other: 1 }, // D, by hand
      { month: '2024-04', bot: 0, other: 1 }, // C's second shard is a new safetensors file
    ]);
  });

  it('SFconvertbot PR states by the year they were opened', () => {
    const prs = [
      { repoKey: 'A', num: 1, createdAt: '2023-01-10', status: 'merged' as const },
      { repoKey: 'B', num: 4, createdAt: '2023-03-01', status: 'open' as const },
      { repoKey: 'D', num: 2, createdAt: '2023-10-01', status: 'closed' as const },
      { repoKey: 'E', num: 7, createdAt: '2024-01-05', status: 'open' as const },
    ];
    expect(prStatesByYear(prs)).toEqual([
      { year: '2023', open: 1, closed: 1, merged: 1, draft: 0 },
      { year: '2024', open: 1, closed: 0, merged: 0, draft: 0 },
    ]);
  });

  it('converted repos that kept their pickles', () => {
    // Converted (pickle first, safetensors later): A and D. C never had a pickle; B never converted.
    // Kept pickles at the latest commit: A (pytorch_model.bin still there); D deleted it.
    expect(convertedKeptPickles(commits)).toEqual({ converted: 2, keptPickles: 1 });
  });

  it('knows the bot’s merge commits by author or by title', () => {
    expect(isBotMerge({ author: 'SFConvertBot', title: 'x' })).toBe(true);
    expect(isBotMerge({ author: 'alice', title: 'Adding `safetensors` variant of this model (#12)' })).toBe(
      true,
    );
    expect(isBotMerge({ author: 'alice', title: 'Adding safetensors' })).toBe(false);
  });

  it('empty records give empty figures', () => {
    expect(formatSharesByYear([])).toEqual([]);
    expect(safetensorsAdditions([])).toEqual([]);
    expect(prStatesByYear([])).toEqual([]);
    expect(convertedKeptPickles([])).toEqual({ converted: 0, keptPickles: 0 });
  });

  it('what R1–R5 call unknown, by the bytes: newest commit only, repos once per format, unread apart', () => {
    const u = (path: string, format?: string) => ({ path, paper: 'unknown' as const, format });
    expect(
      unknownByRealFormat([
        // E: two GGUF files and a Keras file now; its older ONNX file is gone (not counted).
        { repoKey: 'E', date: '2023-01-01', files: [u('m.onnx', 'onnx')] },
        {
          repoKey: 'E',
          date: '2024-01-01',
          files: [u('a.gguf', 'gguf'), u('b.gguf', 'gguf'), u('m.keras', 'keras')],
        },
        // F: one GGUF file, a file never read, and a labelled pickle (not unknown: not counted).
        {
          repoKey: 'F',
          date: '2024-05-01',
          files: [u('c.gguf', 'gguf'), u('blob.bin'), { path: 'x.pkl', paper: 'pickle' }],
        },
      ]),
    ).toEqual([
      { format: 'gguf', repos: 2, files: 3 }, // E's two and F's one, in two repos
      { format: 'keras', repos: 1, files: 1 },
      { format: 'unread', repos: 1, files: 1 },
    ]);
    expect(unknownByRealFormat([])).toEqual([]);
  });
});
