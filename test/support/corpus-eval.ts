// Picklens next to picklescan, modelscan and fickling on the peers' own corpora: the three tools' results
// come from the manifest (what each said at the snapshot), Picklens's from the engine now.
import { join } from 'node:path';
import type { Verdict } from '../../lib/formats/types';
import { PEERS_DIR, readManifest, type CorpusRow } from './corpus';
import { classifyFile } from './fixtures';

export const TOOLS = ['picklens', 'picklescan', 'modelscan', 'fickling'] as const;
export type Tool = (typeof TOOLS)[number];

export interface Evaluated {
  row: CorpusRow;
  v: Verdict;
  /** Did each tool call the file dangerous? */
  flagged: Record<Tool, boolean>;
}

/**
 * The corpus README lets a safe-by-format file (safetensors, numeric npy) that a peer labels dangerous for
 * suspicious metadata strings stay safe, with a finding: the format cannot run its metadata.
 */
export function isMetadataExemption(e: Evaluated): boolean {
  return (
    e.row.expected === 'dangerous' &&
    e.v.risk === 'safe' &&
    e.v.findings.some((f) => f.code === 'safetensors-suspicious-metadata')
  );
}

export async function evaluateCorpus(): Promise<Evaluated[]> {
  const out: Evaluated[] = [];
  for (const row of readManifest()) {
    const v = await classifyFile(join(PEERS_DIR, row.path), row.path);
    out.push({
      row,
      v,
      flagged: {
        picklens: v.risk === 'dangerous',
        picklescan: row.picklescan.startsWith('dangerous'),
        modelscan: row.modelscan.startsWith('dangerous'),
        fickling: row.fickling.startsWith('dangerous'),
      },
    });
  }
  return out;
}

export interface Score {
  caught: number;
  dangerous: number;
  falseAlarms: number;
  safe: number;
}

export function score(rows: Evaluated[], tool: Tool): Score {
  const s: Score = { caught: 0, dangerous: 0, falseAlarms: 0, safe: 0 };
  for (const e of rows) {
    if (e.row.expected === 'dangerous') {
      s.dangerous++;
      if (e.flagged[tool] || (tool === 'picklens' && isMetadataExemption(e))) s.caught++;
    } else if (e.row.expected === 'safe') {
      s.safe++;
      if (e.flagged[tool]) s.falseAlarms++;
    }
  }
  return s;
}

/** The side-by-side table, one block per sub-corpus and label kind. */
export function formatTable(all: Evaluated[]): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  for (const kind of ['test', 'heuristic'] as const) {
    lines.push(
      `label_kind=${kind}${kind === 'test' ? " (the peers' own tests assert these)" : ' (inferred from names; evidence only)'}`,
    );
    lines.push(
      `  ${pad('sub-corpus', 12)}${pad('tool', 12)}${pad('caught', 10)}${pad('missed', 8)}false alarms`,
    );
    const subs = [...new Set(all.map((e) => e.row.path.split('/')[0] ?? ''))].sort();
    for (const sub of [...subs, 'all']) {
      const rows = all.filter(
        (e) => e.row.labelKind === kind && (sub === 'all' || e.row.path.startsWith(`${sub}/`)),
      );
      if (!rows.length) continue;
      for (const tool of TOOLS) {
        const s = score(rows, tool);
        lines.push(
          `  ${pad(tool === 'picklens' ? sub : '', 12)}${pad(tool, 12)}${pad(`${s.caught}/${s.dangerous}`, 10)}${pad(s.dangerous - s.caught, 8)}${s.falseAlarms}/${s.safe}`,
        );
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
