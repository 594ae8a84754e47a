// Every file of the peer scanners' corpora (../shared/corpus/peers) through the engine: each gets a verdict
// within its limits, its paper label equals the manifest's, and a summary prints the agreement with the
// peers' labels. The dangerous/safe agreement is asserted for the files the pickle policy already holds;
// the full claim over every `test` row is issue 3's.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../lib/formats/types';
import {
  PEERS_DIR,
  corpusAvailable,
  paperFromRule,
  readManifest,
  type CorpusRow,
} from '../../support/corpus';
import { classifyFile } from '../../support/fixtures';

const available = corpusAvailable();
if (!available)
  console.warn(
    `peer corpus not found at ${PEERS_DIR}: its tests are skipped (../shared/ is beside our checkout and CI's only)`,
  );

describe.skipIf(!available)('peer corpora (../shared/corpus/peers)', () => {
  const results: { row: CorpusRow; v: Verdict }[] = [];

  it('gives every file a verdict, reading no more than the file', async () => {
    for (const row of readManifest()) {
      const v = await classifyFile(join(PEERS_DIR, row.path), row.path);
      results.push({ row, v });
      expect(v.bytesRead, row.path).toBeLessThanOrEqual(row.size);
    }
    expect(results.length).toBe(325);
  });

  it("gives every file the manifest's paper label (rules R1–R5)", () => {
    const wrong = results
      .filter(({ row, v }) => paperFromRule(row.paperRule) !== v.paper)
      .map(({ row, v }) => `${row.path}: ${row.paperRule} vs ${v.paper}`);
    expect(wrong).toEqual([]);
  });

  it('prints a summary by paper label and risk, with the agreement with the peers', () => {
    const count = (key: (r: { row: CorpusRow; v: Verdict }) => string) => {
      const m = new Map<string, number>();
      for (const r of results) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
      return [...m]
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    };
    const held = (kind: string) => {
      const rows = results.filter((r) => r.row.labelKind === kind && r.row.expected !== 'unlabelled');
      const ok = rows.filter(({ row, v }) =>
        row.expected === 'dangerous' ? v.risk === 'dangerous' : v.risk !== 'dangerous',
      );
      return `${ok.length}/${rows.length}`;
    };
    console.log(
      [
        `peer corpus: ${results.length} files`,
        `  by paper label: ${count((r) => r.v.paper)}`,
        `  by risk: ${count((r) => r.v.risk)}`,
        `  agreement with label_kind=test rows: ${held('test')}; heuristic rows: ${held('heuristic')}`,
      ].join('\n'),
    );
    // No safe file of the peers' own tests is called dangerous.
    const falseAlarms = results.filter(
      ({ row, v }) => row.labelKind === 'test' && row.expected === 'safe' && v.risk === 'dangerous',
    );
    expect(falseAlarms.map((r) => r.row.path)).toEqual([]);
  });
});
