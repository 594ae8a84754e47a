// Sample repositories for the replica: built from test/fixtures/files (real library output), plus the
// situations the Hub presents (gated, a conversion PR, history, a large file).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../support/fixtures';
import type { EventSpec, FileContent, RepoSpec } from './repos';

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, name)));
}

/** Every fixture, in one commit of one repo. */
export function fixturesRepo(id = 'picklens/fixtures'): RepoSpec {
  const files: Record<string, FileContent> = {};
  for (const name of readdirSync(FIXTURES_DIR).sort()) files[name] = fixture(name);
  return {
    id,
    commits: [{ title: 'Add the fixtures', author: 'picklens', date: '2026-01-05T10:00:00.000Z', files }],
  };
}

/** A 200 MB safetensors file: a real header, then zeros the replica never allocates. */
export function bigSafetensors(): FileContent {
  const size = 200 * 1024 * 1024;
  const header = new TextEncoder().encode(
    JSON.stringify({ w: { dtype: 'F32', shape: [size / 4], data_offsets: [0, size] } }).padEnd(120, ' '),
  );
  const head = new Uint8Array(8 + header.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
  head.set(header, 8);
  return { head, size: head.length + size };
}

/** The study's story in one repo: pickle weights, later an SFconvertbot PR, a discussion. */
export function historyRepo(id = 'picklens/history'): RepoSpec {
  const text = (t: string) => new TextEncoder().encode(t);
  return {
    id,
    commits: [
      {
        title: 'initial commit',
        author: 'alice',
        date: '2022-03-01T09:00:00.000Z',
        files: { '.gitattributes': text('*.bin filter=lfs\n'), 'README.md': text('# history\n') },
      },
      {
        title: 'Upload pytorch_model.bin',
        author: 'alice',
        date: '2022-03-02T09:00:00.000Z',
        files: {
          'pytorch_model.bin': fixture('torch_legacy.bin'),
          'config.json': text('{"architectures":["TinyNet"]}'),
        },
      },
      {
        title: 'Update pytorch_model.bin',
        author: 'alice',
        date: '2022-06-10T09:00:00.000Z',
        files: { 'pytorch_model.bin': fixture('torch_state_dict.pt') },
      },
      {
        title: 'Add tf weights',
        author: 'bob',
        date: '2022-09-01T09:00:00.000Z',
        files: { 'tf_model.h5': fixture('plain.h5') },
      },
      {
        title: 'Adding `safetensors` variant of this model (#1)',
        author: 'SFconvertbot',
        date: '2023-01-15T09:00:00.000Z',
        files: { 'model.safetensors': fixture('model.safetensors') },
      },
      {
        title: 'Update README.md',
        author: 'alice',
        date: '2023-05-01T09:00:00.000Z',
        files: { 'README.md': text('# history, updated\n') },
      },
      {
        title: 'Update pytorch_model.bin',
        author: 'alice',
        date: '2024-02-01T09:00:00.000Z',
        files: { 'pytorch_model.bin': fixture('torch_whole_module.pt') },
      },
    ],
    discussions: [
      {
        num: 1,
        title: 'Adding `safetensors` variant of this model',
        author: 'SFconvertbot',
        status: 'merged',
        isPullRequest: true,
        createdAt: '2023-01-10T09:00:00.000Z',
        files: { 'model.safetensors': fixture('model.safetensors') },
        events: [
          { type: 'status-change', author: 'alice', createdAt: '2023-01-15T09:00:00.000Z', status: 'merged' },
        ],
      },
      {
        num: 2,
        title: 'How do I load this?',
        author: 'carol',
        status: 'open',
        isPullRequest: false,
        createdAt: '2023-03-01T09:00:00.000Z',
        events: [
          { type: 'comment', author: 'carol', createdAt: '2023-03-01T09:00:00.000Z', content: 'question' },
        ],
      },
      {
        num: 3,
        title: 'Adding `safetensors` variant of this model',
        author: 'SFconvertbot',
        status: 'open',
        isPullRequest: true,
        createdAt: '2024-02-02T09:00:00.000Z',
        files: { 'model.safetensors': fixture('model.safetensors') },
      },
    ],
  };
}

/** A small safetensors file found in no other sample repo. */
export function gatedWeights(): Uint8Array {
  const header = new TextEncoder().encode('{"gated.weight":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}');
  const out = new Uint8Array(8 + header.length + 4);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  out.set([1, 2, 3, 4], 8 + header.length);
  return out;
}

const readme = (t: string) => new TextEncoder().encode(t);

export function sampleRepos(): RepoSpec[] {
  return [
    fixturesRepo(),
    historyRepo(),
    {
      id: 'picklens/pickle-only',
      commits: [
        {
          title: 'Upload weights',
          author: 'dave',
          date: '2022-05-01T09:00:00.000Z',
          files: {
            'README.md': readme('# pickle only\n'),
            'pytorch_model.bin': fixture('torch_legacy.bin'),
            'optimizer.pt': fixture('torch_whole_module.pt'),
          },
        },
      ],
      discussions: [
        {
          num: 1,
          title: 'Adding `safetensors` variant of this model',
          author: 'SFconvertbot',
          status: 'open',
          isPullRequest: true,
          createdAt: '2023-02-01T09:00:00.000Z',
          files: { 'model.safetensors': fixture('model.safetensors') },
        },
      ],
    },
    {
      id: 'picklens/dangerous',
      commits: [
        {
          title: 'Upload model',
          author: 'mallory',
          date: '2024-08-01T09:00:00.000Z',
          files: {
            'README.md': readme('# totally normal model\n'),
            'pytorch_model.bin': fixture('torch_malicious.pt'),
            'model.safetensors': fixture('pickle_named.safetensors'),
            'scaler.pkl': fixture('os_system.pkl'),
          },
        },
      ],
    },
    {
      id: 'picklens/gated',
      gated: 'manual',
      commits: [
        {
          title: 'weights',
          author: 'picklens',
          date: '2026-01-06T10:00:00.000Z',
          // Content of its own: a verdict cached from another repo would answer for identical bytes.
          files: { 'model.safetensors': gatedWeights() },
        },
      ],
    },
    {
      id: 'picklens/big',
      commits: [
        {
          title: 'a big file',
          author: 'picklens',
          date: '2026-01-07T10:00:00.000Z',
          files: { 'model.safetensors': bigSafetensors(), 'README.md': new TextEncoder().encode('# big\n') },
        },
      ],
    },
    longTreeRepo(),
    {
      id: 'picklens/demo',
      type: 'space',
      commits: [
        {
          title: 'app',
          author: 'picklens',
          date: '2026-01-09T10:00:00.000Z',
          files: {
            'app.py': readme('import gradio\n'),
            'README.md': readme('# demo space\n'),
            'weights/classifier.joblib': fixture('zlib.joblib'),
          },
        },
      ],
    },
    remoteCodeRepo(),
    {
      // A path far longer than a popup is wide (the popup must wrap it, not grow past Chrome's 800 px).
      id: 'picklens/long-names',
      commits: [
        {
          title: 'Weights in a deep folder',
          author: 'picklens',
          date: '2026-01-07T10:00:00.000Z',
          files: {
            [`${'a_very_long_folder_name_without_any_break/'.repeat(4)}model_weights_with_a_name_that_goes_on_and_on.pt`]:
              fixture('torch_state_dict.pt'),
          },
        },
      ],
    },
    {
      id: 'datasets-org/data',
      type: 'dataset',
      commits: [
        {
          title: 'data',
          author: 'picklens',
          date: '2026-01-08T10:00:00.000Z',
          files: { 'data/train.npz': fixture('arrays.npz') },
        },
      ],
    },
  ];
}

/**
 * A repo whose loaders run its own Python (transformers' custom models): config.json maps AutoConfig and
 * AutoModel to its .py files, tokenizer_config.json maps AutoTokenizer to [slow, fast] with a class from
 * another repo. Its weights are safetensors: the Hub shows nothing to worry about.
 */
export function remoteCodeRepo(id = 'picklens/remote-code'): RepoSpec {
  const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 2));
  return {
    id,
    commits: [
      {
        title: 'Upload custom model',
        author: 'erin',
        date: '2025-02-01T09:00:00.000Z',
        files: {
          'README.md': readme('# a custom architecture\n'),
          'model.safetensors': fixture('model.safetensors'),
          'config.json': json({
            architectures: ['TinyCustomModel'],
            auto_map: {
              AutoConfig: 'configuration_tiny.TinyConfig',
              AutoModel: 'modeling_tiny.TinyCustomModel',
            },
            model_type: 'tiny-custom',
          }),
          'tokenizer_config.json': json({
            auto_map: { AutoTokenizer: ['other-org/tokenizers--tokenization_tiny.TinyTokenizer', null] },
          }),
          'configuration_tiny.py': readme('from transformers import PretrainedConfig\n'),
          'modeling_tiny.py': readme('import torch\n'),
        },
      },
    ],
  };
}

/**
 * Twenty small repos for batch collection: each a pickle; even ones then merge the bot's conversion PR,
 * odd ones leave it open (every third one's closed instead).
 */
export function batchRepos(n = 20): RepoSpec[] {
  const h = historyRepo();
  const c = h.commits;
  const pr = h.discussions?.[0];
  return Array.from({ length: n }, (_, i) => {
    const status = i % 2 === 0 ? ('merged' as const) : i % 3 === 0 ? ('closed' as const) : ('open' as const);
    const createdAt =
      i % 2 === 0 ? (pr?.createdAt ?? '') : `202${3 + (i % 3)}-0${1 + (i % 9)}-15T09:00:00.000Z`;
    // Who changed the status: every fourth repo's PR by Hub staff (the Hub's `isHf`), one merged PR with no
    // status-change event at all (an old PR whose events the Hub no longer lists), the others by the owner.
    const events: EventSpec[] =
      status === 'open' || i === 10
        ? []
        : [
            {
              type: 'status-change',
              author: i % 4 === 0 ? 'hf-staffer' : 'alice',
              authorIsHf: i % 4 === 0,
              createdAt: new Date(Date.parse(createdAt) + 5 * 86_400_000).toISOString(),
              status,
            },
          ];
    return {
      id: `batch/repo-${String(i).padStart(2, '0')}`,
      commits: i % 2 ? c.slice(0, 3) : [...c.slice(0, 2), ...c.slice(4, 5)],
      discussions: pr ? [{ ...pr, status, createdAt, events }] : [],
    };
  });
}

/**
 * A long history: 40 commits, mostly README edits, with three model-file changes (a pickle, its
 * safetensors conversion, a pickle update) and, between commits 30 and 34, a file added and removed again.
 */
export function longHistoryRepo(id = 'picklens/long-history'): RepoSpec {
  const text = (t: string) => new TextEncoder().encode(t);
  const commits: RepoSpec['commits'] = [];
  const date = (i: number) => new Date(Date.UTC(2022, 0, 1 + i * 9)).toISOString();
  for (let i = 0; i < 40; i++) {
    const files: Record<string, FileContent | null> = { 'README.md': text(`# edit ${i}\n`) };
    let title = `Update README.md (${i})`;
    if (i === 3)
      [files['pytorch_model.bin'], title] = [fixture('torch_state_dict.pt'), 'Upload pytorch_model.bin'];
    if (i === 17)
      [files['model.safetensors'], title] = [
        fixture('model.safetensors'),
        'Adding `safetensors` variant of this model (#1)',
      ];
    if (i === 31) [files['extra.bin'], title] = [fixture('plain_protocol2.pkl'), 'Add extra.bin'];
    if (i === 32) [files['extra.bin'], title] = [null, 'Delete extra.bin'];
    if (i === 36)
      [files['pytorch_model.bin'], title] = [fixture('torch_whole_module.pt'), 'Update pytorch_model.bin'];
    commits.push({ title, author: i === 17 ? 'SFconvertbot' : 'alice', date: date(i), files });
  }
  return { id, commits };
}

/**
 * A tree longer than a page: 60 small configs, then model files the first page does not show, one of
 * them an extensionless pickle (a model file only by its size, which the page's island does not give).
 */
export function longTreeRepo(id = 'picklens/long-tree'): RepoSpec {
  const files: Record<string, FileContent> = {};
  for (let i = 0; i < 60; i++) files[`config-${String(i).padStart(2, '0')}.json`] = readme(`{"i":${i}}`);
  files['model.safetensors'] = fixture('model.safetensors');
  files['pytorch_model.bin'] = fixture('torch_state_dict.pt');
  files['zz-checkpoint'] = fixture('torch_malicious.pt');
  return {
    id,
    commits: [{ title: 'many files', author: 'picklens', date: '2026-01-10T10:00:00.000Z', files }],
  };
}

/** A dataset of `n` files (the real Hub has 50,000-file datasets): what one home page view may cost. */
export function hugeRepo(n = 50_000, id = 'picklens/huge'): RepoSpec {
  const files: Record<string, FileContent> = { 'README.md': readme('# huge\n') };
  for (let i = 0; i < n; i++) files[`data/part-${String(i).padStart(5, '0')}.json`] = readme(`{"i":${i}}`);
  files['model.safetensors'] = fixture('model.safetensors');
  return {
    id,
    type: 'dataset',
    commits: [{ title: 'data', author: 'picklens', date: '2026-01-11T10:00:00.000Z', files }],
  };
}
