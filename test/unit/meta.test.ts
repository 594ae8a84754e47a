// Keeps the conventions honest (STYLE.md): every format has a fixture, every format module opens with its
// header, and every finding code (a typed union) is emitted by the engine and produced by a test somewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, FORMATS } from '../../lib/formats/types';
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

  it('every finding code of the union is emitted by the engine and produced by a test', () => {
    // The compiler holds every emission to FINDING_CODES; here each listed code must be one the engine
    // really writes (no stale entry) and one a unit test expects.
    const engine = modules
      .filter((m) => m !== 'types.ts')
      .map((m) => readFileSync(join(FORMATS_DIR, m), 'utf8'))
      .join('\n');
    const tests = filesUnder(join(ROOT, 'test/unit'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    // The fixtures' verdict snapshot is a test too: it holds every fixture's findings exactly.
    const snapshot = readFileSync(join(ROOT, 'test/snapshots/fixtures.jsonl'), 'utf8');
    const quoted = (src: string, c: string) => src.includes(`'${c}'`);
    expect(FINDING_CODES.filter((c) => !quoted(engine, c))).toEqual([]);
    expect(
      FINDING_CODES.filter(
        (c) =>
          !quoted(tests, c) &&
          !tests.includes(`'${c}`) &&
          !tests.includes(`${c}'`) &&
          !snapshot.includes(`"code":"${c}"`),
      ),
    ).toEqual([]);
  });
});
