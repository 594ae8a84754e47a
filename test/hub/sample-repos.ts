// Sample repositories for the replica: built from test/fixtures/files (real library output), plus the
// situations the Hub presents (gated, a conversion PR, history, a large file).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../support/fixtures';
import type { FileContent, RepoSpec } from './repos';

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

export function sampleRepos(): RepoSpec[] {
  return [
    fixturesRepo(),
    {
      id: 'picklens/gated',
      gated: 'manual',
      commits: [
        {
          title: 'weights',
          author: 'picklens',
          date: '2026-01-06T10:00:00.000Z',
          files: { 'model.safetensors': fixture('model.safetensors') },
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
