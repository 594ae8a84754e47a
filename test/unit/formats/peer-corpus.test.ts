// The peer scanners' corpora (../shared/corpus/peers) through the engine: every file gets a verdict within
// its limits and the manifest's paper label; every file the peers' own tests call dangerous is dangerous,
// and none they call safe is. Disagreements on the name-inferred rows are explained in test/corpus-notes.md.
import { describe, expect, it } from 'vitest';
import { PEERS_DIR, corpusAvailable, paperFromRule } from '../../support/corpus';
import { evaluateCorpus, formatTable, isMetadataExemption, type Evaluated } from '../../support/corpus-eval';

const available = corpusAvailable();
if (!available) {
  console.warn(
    `peer corpus not found at ${PEERS_DIR}: its tests are skipped (../shared/ is beside our checkout and CI's only)`,
  );
}

describe.skipIf(!available)('peer corpora (../shared/corpus/peers)', () => {
  let all: Evaluated[] = [];

  it('gives every file a verdict, reading no more than the file', async () => {
    all = await evaluateCorpus();
    expect(all).toHaveLength(325);
    for (const { row, v } of all) expect(v.bytesRead, row.path).toBeLessThanOrEqual(row.size);
  });

  it("gives every file the manifest's paper label (rules R1–R5)", () => {
    const wrong = all
      .filter(({ row, v }) => paperFromRule(row.paperRule) !== v.paper)
      .map(({ row, v }) => `${row.path}: ${row.paperRule} vs ${v.paper}`);
    expect(wrong).toEqual([]);
  });

  it("calls dangerous every file the peers' own tests call dangerous", () => {
    const missed = all.filter(
      (e) =>
        e.row.labelKind === 'test' &&
        e.row.expected === 'dangerous' &&
        e.v.risk !== 'dangerous' &&
        !isMetadataExemption(e),
    );
    expect(missed.map((e) => `${e.row.path}: ${e.v.risk}`)).toEqual([]);
    // The one exemption the corpus README allows, and only with its finding.
    expect(all.filter(isMetadataExemption).map((e) => e.row.path)).toEqual([
      'modelaudit/tests/assets/samples/safetensors/malicious_import.safetensors',
    ]);
  });

  it("calls dangerous no file the peers' own tests call safe", () => {
    const alarms = all.filter(
      (e) => e.row.labelKind === 'test' && e.row.expected === 'safe' && e.v.risk === 'dangerous',
    );
    expect(alarms.map((e) => e.row.path)).toEqual([]);
  });

  it('on the name-inferred rows, disagrees only where test/corpus-notes.md explains why', () => {
    const disagree = all.filter(
      (e) =>
        e.row.labelKind === 'heuristic' && (e.row.expected === 'dangerous') !== (e.v.risk === 'dangerous'),
    );
    const explained = disagree
      .filter((e) => /\/jinja2\//.test(e.row.path) && e.v.format === 'unknown')
      .concat(disagree.filter((e) => e.row.path.endsWith('/simple_nested.pkl')));
    expect(disagree.length).toBe(25);
    expect(explained.length).toBe(disagree.length);
    console.log(formatTable(all));
  });
});
