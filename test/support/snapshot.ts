// The engine's verdict over every fixture and every peer corpus file, as the CLI's `--json` lines (the
// DESIGN.md contract), in a fixed order: what a refactor of the engine must leave as it was
// (test/snapshots/*.jsonl; `npm run snapshot` writes them again, on purpose only).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonLine } from '../../lib/formats/report';
import { PEERS_DIR, readManifest } from './corpus';
import { classifyFile, FIXTURES_DIR } from './fixtures';

export const SNAPSHOT_DIR = join(FIXTURES_DIR, '../../snapshots');

export async function fixtureLines(): Promise<string[]> {
  const out: string[] = [];
  for (const name of readdirSync(FIXTURES_DIR).sort())
    out.push(toJsonLine(name, await classifyFile(join(FIXTURES_DIR, name), name)));
  return out;
}

/** Needs ../shared beside the project (the peers' corpora are not ours to ship). */
export async function corpusLines(): Promise<string[]> {
  const out: string[] = [];
  for (const row of [...readManifest()].sort((a, b) => (a.path < b.path ? -1 : 1)))
    out.push(toJsonLine(row.path, await classifyFile(join(PEERS_DIR, row.path), row.path)));
  return out;
}
