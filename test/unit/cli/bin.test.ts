// The built bin (dist/cli/scan.mjs, built by `npm ci` and `npm test`) as a user runs it: a process, its
// output and exit code, and the code cache the build leaves beside the bundle.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../support/fixtures';

const DIST = resolve(FIXTURES_DIR, '../../../dist/cli');
const BIN = join(DIST, 'scan.mjs');

function run(bin: string, ...args: string[]) {
  if (!existsSync(bin)) throw new Error(`no ${bin}: run npm run build:cli`);
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

const temp = mkdtempSync(join(tmpdir(), 'picklens-bin-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the built bin', () => {
  it('scans a folder: one JSON line per file in name order, exit 1 when something is dangerous', () => {
    const r = run(BIN, '--json', FIXTURES_DIR);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const paths = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { path: string }).path);
    expect(paths.length).toBeGreaterThan(40);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toContain(join(FIXTURES_DIR, 'os_system.pkl'));
  });

  it('prints the table and its summary after the last row, exit 0 on a safe file', () => {
    const r = run(BIN, join(FIXTURES_DIR, 'model.safetensors'));
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^safe\s+safetensors/);
    expect(lines[1]).toMatch(/^1 file\(s\): 1 safe/);
  });

  it('an error on one file is reported on stderr after the lines before it, and the scan goes on (exit 2)', () => {
    const missing = join(temp, 'missing.pkl');
    const r = run(
      BIN,
      '--json',
      join(FIXTURES_DIR, 'model.safetensors'),
      missing,
      join(FIXTURES_DIR, 'numeric.npy'),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it("the build's code cache is one this node accepts", () => {
    const file = join(DIST, 'engine.cjs');
    const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
      filename: file,
      cachedData: readFileSync(`${file}.cache`),
    });
    expect(script.cachedDataRejected).toBe(false);
  });

  it('a cache that does not match is ignored: same output as with the good one', () => {
    for (const f of ['engine.cjs', 'scan.mjs']) copyFileSync(join(DIST, f), join(temp, f));
    writeFileSync(join(temp, 'engine.cjs.cache'), Buffer.from('not a code cache'));
    const good = run(BIN, '--json', FIXTURES_DIR);
    const bad = run(join(temp, 'scan.mjs'), '--json', FIXTURES_DIR);
    expect(bad.stderr).toBe('');
    expect(bad.status).toBe(good.status);
    expect(bad.stdout).toBe(good.stdout);
  });
});
