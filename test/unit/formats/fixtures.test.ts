// Every fixture written by the real libraries gets the manifest's paper label, format and risk.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, classifyFile, readFixtureManifest } from '../../support/fixtures';

const rows = readFixtureManifest();

describe('fixtures written by the real libraries', () => {
  it('has a manifest row for a good spread of formats', () => {
    expect(new Set(rows.map((r) => r.format)).size).toBeGreaterThanOrEqual(17);
  });

  for (const row of rows) {
    it(`${row.file}: ${row.paper} / ${row.format} / ${row.risk}`, async () => {
      const v = await classifyFile(join(FIXTURES_DIR, row.file), row.file);
      expect({ paper: v.paper, format: v.format, risk: v.risk }).toEqual({
        paper: row.paper,
        format: row.format,
        risk: row.risk,
      });
      if (row.weightsOnly !== undefined) expect(v.weightsOnly).toBe(row.weightsOnly);
      if (row.dangerousImport) {
        const dangerous = v.imports
          .filter((i) => i.safety === 'dangerous')
          .map((i) => `${i.module}.${i.name}`);
        expect(dangerous).toContain(row.dangerousImport);
      }
      // Nothing is ever read twice or past the file.
      expect(v.bytesRead).toBeLessThanOrEqual(Math.max(v.size ?? 0, 1) * 2);
    });
  }
});
