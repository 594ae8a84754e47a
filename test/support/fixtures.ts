// The committed fixtures (test/fixtures/files, written by test/fixtures/generate.py) and their manifest.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classify } from '../../lib/formats/classify';
import { openFileSource } from '../../lib/cli/file-source';
import type { Format, PaperLabel, Risk, Verdict } from '../../lib/formats/types';

export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/files');

export interface FixtureRow {
  file: string;
  paper: PaperLabel;
  format: Format;
  risk: Risk;
  weightsOnly?: boolean;
  dangerousImport?: string;
}

export function readFixtureManifest(): FixtureRow[] {
  const m = JSON.parse(readFileSync(join(FIXTURES_DIR, '../manifest.json'), 'utf8')) as {
    files: FixtureRow[];
  };
  return m.files;
}

/** Issue 13's own corpus (test/fixtures/wave2, written by its generate.py): its files are in `files/`. */
export const WAVE2_DIR = resolve(FIXTURES_DIR, '../wave2');

export interface Wave2Row {
  file: string;
  kind: 'malicious' | 'benign';
  source: string;
  risk: Risk;
  format: Format;
  /** Seen to run its payload (malicious) or to load (benign) under the real loader when written. */
  verified: boolean;
  /** What the real torch 1.13's `torch.load(weights_only=True)` did with it (benign pickles). */
  weightsOnly?: boolean;
  /** A malicious file this engine knowingly misses, and why; `missRisk` is the verdict it gets meanwhile. */
  miss?: string;
  missRisk?: Risk;
}

export function readWave2Manifest(): Wave2Row[] {
  return (JSON.parse(readFileSync(join(WAVE2_DIR, 'manifest.json'), 'utf8')) as { files: Wave2Row[] }).files;
}

export async function classifyFile(path: string, name = path): Promise<Verdict> {
  const src = await openFileSource(path);
  try {
    return await classify(src, { name });
  } finally {
    await src.close();
  }
}

/** Issue 14's conversion cases and 1 GB pair (test/fixtures/conversion, written by its generate.py). */
export const CONVERSION_DIR = resolve(FIXTURES_DIR, '../conversion');
