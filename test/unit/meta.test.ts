// Keeps the conventions honest (STYLE.md): every format has a fixture, every format module opens with its
// header, and every error code the engine can emit is produced by a byte-literal test somewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../lib/formats/types';
import { readFixtureManifest } from '../support/fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const FORMATS_DIR = join(ROOT, 'lib/formats');
const modules = readdirSync(FORMATS_DIR).filter((f) => f.endsWith('.ts'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('conventions', () => {
  it('every format has at least one fixture written by a real library or to its spec', () => {
    const covered = new Set(readFixtureManifest().map((r) => r.format));
    expect(FORMATS.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('every format module opens with a comment saying what it is and what it checks', () => {
    for (const m of modules)
      expect(readFileSync(join(FORMATS_DIR, m), 'utf8').startsWith('//'), m).toBe(true);
  });

  it('lib/formats and lib/stats import no DOM, browser or WXT API', () => {
    const pure = [...modules.map((m) => join(FORMATS_DIR, m)), ...filesUnder(join(ROOT, 'lib/stats'))];
    expect(pure.length).toBeGreaterThan(modules.length);
    for (const m of pure) {
      const src = readFileSync(m, 'utf8');
      expect(src, m).not.toMatch(
        /from ['"](wxt|#imports|webextension-polyfill)|\b(document|window|browser|chrome)\./,
      );
    }
  });

  it('every error code the engine emits is produced by a test', () => {
    const code = /'((?:safetensors|gguf|npy|zip|tar|keras|pickle|joblib)-[a-z0-9-]+)'/g;
    const emitted = new Set<string>();
    for (const m of modules)
      for (const match of readFileSync(join(FORMATS_DIR, m), 'utf8').matchAll(code))
        emitted.add(match[1] ?? '');
    const tests = filesUnder(join(ROOT, 'test/unit'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const untested = [...emitted].filter(
      (c) => !tests.includes(`'${c}`) && !tests.includes(`${c}'`) && !tests.includes(`['${c}'`),
    );
    expect(untested).toEqual([]);
  });
});
