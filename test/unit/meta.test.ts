// Keeps the conventions honest (STYLE.md): every format has a fixture, every format module opens with its
// header, and every finding code (a typed union) is emitted by the engine and produced by a test somewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMAT_MODULES } from '../../lib/formats/classify';
import { FINDING_CODES, FORMATS } from '../../lib/formats/types';
import { readFixtureManifest } from '../support/fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const FORMATS_DIR = join(ROOT, 'lib/formats');
const modules = readdirSync(FORMATS_DIR).filter((f) => f.endsWith('.ts'));

function filesUnder(dir: string, name: RegExp = /\.ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), name) : name.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('conventions', () => {
  it('every format has at least one fixture written by a real library or to its spec', () => {
    const covered = new Set(readFixtureManifest().map((r) => r.format));
    expect(FORMATS.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('the format registry: every format is some module’s, and every module has a fixture it concludes', () => {
    const claimed = new Set(FORMAT_MODULES.flatMap((m) => m.formats));
    expect(FORMATS.filter((f) => f !== 'unknown' && !claimed.has(f))).toEqual([]);
    expect(new Set(FORMAT_MODULES.map((m) => m.id)).size).toBe(FORMAT_MODULES.length);
    const fixtureFormats = new Set(readFixtureManifest().map((r) => r.format));
    for (const m of FORMAT_MODULES)
      expect(
        m.formats.some((f) => fixtureFormats.has(f)),
        `${m.id} has no fixture`,
      ).toBe(true);
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

describe('the module graph', () => {
  const SOURCE_DIRS = ['lib', 'components', 'entrypoints'];
  const sources = SOURCE_DIRS.flatMap((d) => filesUnder(join(ROOT, d), /\.tsx?$/));
  const text = new Map(sources.map((f) => [f, readFileSync(f, 'utf8')]));

  /** Project-relative imports of a file, resolved to files (`@/` is the project's root). */
  const importsOf = (f: string): string[] => {
    const out: string[] = [];
    for (const m of (text.get(f) ?? '').matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) {
      const spec = m[1] ?? '';
      const base = spec.startsWith('@/')
        ? join(ROOT, spec.slice(2))
        : spec.startsWith('.')
          ? resolve(dirname(f), spec)
          : '';
      const hit = base && ['.ts', '.tsx', '/index.ts'].map((e) => base + e).find((p) => text.has(p));
      if (hit) out.push(hit);
    }
    return out;
  };

  it('casts nothing through unknown (a value is narrowed or asserted by a check, not declared)', () => {
    const casts = sources
      .filter((f) => /\bas unknown as\b/.test(text.get(f) ?? ''))
      .map((f) => relative(ROOT, f));
    expect(casts).toEqual([]);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      state.set(f, 1);
      for (const d of importsOf(f)) {
        if (state.get(d) === 1)
          cycles.push([...path.slice(path.indexOf(d)), d].map((p) => relative(ROOT, p)).join(' → '));
        else if (!state.get(d)) visit(d, [...path, d]);
      }
      state.set(f, 2);
    };
    for (const f of sources) if (!state.get(f)) visit(f, [f]);
    expect(sources.length).toBeGreaterThan(50);
    expect(cycles).toEqual([]);
  });

  it('exports no function, class, constant or type that no other file uses (tests count as users)', () => {
    const everything = [...SOURCE_DIRS, 'test', 'scripts']
      .flatMap((d) => filesUnder(join(ROOT, d), /\.tsx?$/))
      .filter((f) => !f.includes('/fixtures/'));
    const all = new Map(everything.map((f) => [f, readFileSync(f, 'utf8')]));
    const unused: string[] = [];
    for (const f of sources) {
      for (const m of (text.get(f) ?? '').matchAll(
        /export\s+(?:async\s+)?(?:function|class|const|let|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g,
      )) {
        const name = m[1] ?? '';
        const re = new RegExp(`\\b${name}\\b`);
        if (![...all].some(([g, src]) => g !== f && re.test(src)))
          unused.push(`${relative(ROOT, f)}: ${name}`);
      }
    }
    expect(unused).toEqual([]);
  });
});
