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

export async function classifyFile(path: string, name = path): Promise<Verdict> {
  const src = await openFileSource(path);
  try {
    return await classify(src, { name });
  } finally {
    await src.close();
  }
}
