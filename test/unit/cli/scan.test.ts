// The CLI: the DESIGN.md JSON contract for every fixture, the table, exit codes 0/1/2.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Capture } from '../../support/capture';
import { main } from '../../../lib/cli/scan';
import { FIXTURES_DIR, readFixtureManifest } from '../../support/fixtures';

async function scan(...argv: string[]) {
  const out = new Capture();
  const err = new Capture();
  const code = await main(argv, out, err);
  return { code, out: out.text, err: err.text, writes: out.writes };
}

describe('npm run scan', () => {
  it('--json gives the manifest paper label and format for every fixture, one object per line', async () => {
    const r = await scan('--json', FIXTURES_DIR);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = readFixtureManifest();
    expect(lines).toHaveLength(rows.length);
    for (const row of rows) {
      const line = lines.find((l) => l.path === join(FIXTURES_DIR, row.file));
      expect(line, row.file).toBeDefined();
      expect({ paper: line?.paper, format: line?.format, risk: line?.risk }).toEqual({
        paper: row.paper,
        format: row.format,
        risk: row.risk,
      });
    }
    // The contract's keys, and weightsOnly only where a pickle is involved.
    for (const l of lines) {
      for (const key of ['path', 'paper', 'format', 'risk', 'imports', 'findings', 'bytesRead', 'size'])
        expect(l).toHaveProperty(key);
      if (['safetensors', 'gguf', 'onnx', 'hdf5', 'unknown'].includes(l.format as string))
        expect(l).not.toHaveProperty('weightsOnly');
    }
    expect(r.code).toBe(1); // the fixtures include dangerous files
  });

  it('prints a table with a summary line for people', async () => {
    const r = await scan(join(FIXTURES_DIR, 'model.safetensors'), join(FIXTURES_DIR, 'numeric.npy'));
    expect(r.out).toMatch(/^safe\s+safetensors\s+safetensors/m);
    expect(r.out).toMatch(/^2 file\(s\): 2 safe; /m);
    expect(r.code).toBe(0);
  });

  it('writes lines in batches, and what waits before a file over 1 MiB is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picklens-batch-'));
    try {
      copyFileSync(join(FIXTURES_DIR, 'numeric.npy'), join(dir, 'a.npy'));
      writeFileSync(join(dir, 'b.bin'), new Uint8Array(2 << 20)); // zeros: unknown, but read
      copyFileSync(join(FIXTURES_DIR, 'numeric.npy'), join(dir, 'c.npy'));
      copyFileSync(join(FIXTURES_DIR, 'model.safetensors'), join(dir, 'd.safetensors'));
      const r = await scan('--json', dir);
      expect(r.writes[0]).toMatch(/a\.npy/);
      expect(r.writes[0]).not.toMatch(/b\.bin/);
      expect(r.writes.join('')).toBe(r.out);
      expect(r.writes.length).toBeLessThan(4); // not a write per line
      expect(
        r.out
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { path: string }).path),
      ).toEqual(['a.npy', 'b.bin', 'c.npy', 'd.safetensors'].map((f) => join(dir, f)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exit 2 on usage errors and missing files', async () => {
    expect((await scan()).code).toBe(2);
    expect((await scan('--bogus', FIXTURES_DIR)).code).toBe(2);
    const missing = await scan('/nonexistent/file.bin');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('/nonexistent/file.bin');
  });

  it('runs as `npm run scan` with exit code 1 on a dangerous file', () => {
    const root = resolve(FIXTURES_DIR, '../../..');
    const r = spawnSync(
      'npm',
      ['run', '--silent', 'scan', '--', '--json', join(FIXTURES_DIR, 'os_system.pkl')],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    const line = JSON.parse(r.stdout.trim()) as {
      risk: string;
      imports: { module: string; name: string; safety: string }[];
    };
    expect(line.risk).toBe('dangerous');
    expect(line.imports).toContainEqual({ module: 'posix', name: 'system', safety: 'dangerous' });
  });
});
