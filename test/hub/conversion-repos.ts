// Repos with conversion PRs, for the replica: each case of test/fixtures/conversion (real torch checkpoints,
// conversions by the real safetensors library, broken variants) as a repo whose main holds the checkpoint and
// whose PR #1 by SFconvertbot adds the conversion; a 1 GB pair kept as its non-zero spans (the bench's); a PR
// whose safetensors header is too large to read for a check.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Segment } from '../support/bytes';
import { CONVERSION_DIR } from '../support/fixtures';
import type { FileContent, RepoSpec } from './repos';

export interface ConversionCase {
  name: string;
  verdict: 'equivalent' | 'equivalent-with-ties' | 'differs' | 'unverifiable';
  why: string;
  status: 'open' | 'merged' | 'closed';
  kinds: string[];
  reason?: string;
}

interface Manifest {
  cases: ConversionCase[];
  bench: { tensors: number; size: number };
}

export function conversionManifest(): Manifest {
  return JSON.parse(readFileSync(join(CONVERSION_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

function filesUnder(dir: string): Record<string, FileContent> {
  const out: Record<string, FileContent> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = new Uint8Array(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

const TITLE = 'Adding `safetensors` variant of this model';
const text = (t: string) => new TextEncoder().encode(t);

function prRepo(
  id: string,
  base: Record<string, FileContent>,
  pr: Record<string, FileContent>,
  status: ConversionCase['status'] = 'open',
): RepoSpec {
  return {
    id,
    commits: [
      {
        title: 'Upload the model',
        author: 'maintainer',
        date: '2023-03-01T10:00:00.000Z',
        files: { 'README.md': text(`# ${id}\n`), ...base },
      },
    ],
    discussions: [
      {
        num: 1,
        title: TITLE,
        author: 'SFconvertbot',
        status,
        isPullRequest: true,
        createdAt: '2023-04-01T10:00:00.000Z',
        files: pr,
        events:
          status === 'open'
            ? []
            : [
                {
                  type: 'status-change',
                  author: 'maintainer',
                  createdAt: '2023-04-02T10:00:00.000Z',
                  status,
                },
              ],
      },
      {
        num: 2,
        title: 'Does this work with the new tokenizer?',
        author: 'carol',
        status: 'open',
        isPullRequest: false,
        createdAt: '2023-05-01T10:00:00.000Z',
      },
    ],
  };
}

/** `conversion/<case>`: the checkpoint on main, the conversion in PR #1; #2 is a plain discussion. */
export function conversionRepos(): RepoSpec[] {
  return conversionManifest().cases.map((c) =>
    prRepo(
      `conversion/${c.name}`,
      filesUnder(join(CONVERSION_DIR, 'cases', c.name, 'base')),
      filesUnder(join(CONVERSION_DIR, 'cases', c.name, 'pr')),
      c.status,
    ),
  );
}

/** A file kept as its non-zero spans (generate.py `sparse`), zeros between them never allocated. */
function sparseFile(path: string): FileContent {
  const s = JSON.parse(readFileSync(path, 'utf8')) as { size: number; spans: { at: number; b64: string }[] };
  const segments: Segment[] = [];
  let at = 0;
  for (const span of s.spans) {
    if (span.at > at) segments.push({ zeros: span.at - at });
    const bytes = new Uint8Array(Buffer.from(span.b64, 'base64'));
    segments.push(bytes);
    at = span.at + bytes.length;
  }
  if (s.size > at) segments.push({ zeros: s.size - at });
  return { segments };
}

/** `conversion/bench-1g`: a 1 GB checkpoint (291 tensors, tied embeddings) and its 1 GB conversion. */
export function benchConversionRepo(id = 'conversion/bench-1g'): RepoSpec {
  const dir = join(CONVERSION_DIR, 'bench-1g');
  return prRepo(
    id,
    { 'pytorch_model.bin': sparseFile(join(dir, 'pytorch_model.bin.sparse.json')) },
    { 'model.safetensors': sparseFile(join(dir, 'model.safetensors.sparse.json')) },
  );
}

/** `conversion/huge-header`: the PR's safetensors claims a 50 MB header (allowed by the crate, not read to check). */
export function hugeHeaderRepo(id = 'conversion/huge-header'): RepoSpec {
  const n = 50_000_000;
  const head = new Uint8Array(8 + 16);
  new DataView(head.buffer).setBigUint64(0, BigInt(n), true);
  head.set(text('{"w":{"dtype":"'), 8);
  const base = filesUnder(join(CONVERSION_DIR, 'cases', 'tied', 'base'));
  return prRepo(id, base, { 'model.safetensors': { head, size: 8 + n + 1024 } });
}
