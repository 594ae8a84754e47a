// `npm run study -- [REPO...] [--repos FILE] [--endpoint URL] [--out DIR] [--json]` (DESIGN.md): the study's
// measures over a list of repos, collected from the Hub with the extension's own code (Collector: conversion
// PRs, then the format history by bisection, one header read per content), in the extension's database
// schema held in memory (fake-indexeddb) and kept under --out as the export's full record after every repo,
// so an interrupted run resumes where it stopped. Writes the extension's export zip there (importable into
// the extension) and prints the study's measures (lib/stats/study.ts) beside its published values.
import 'fake-indexeddb/auto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { takeOption } from './args';
import { Collector } from '../background/collect';
import { hubVerdictReader, resolverGovernor } from '../background/history';
import { parseIdList } from '../background/batch';
import { openPicklensDb, parseRepoKey, type PicklensDb } from '../db/schema';
import { exportZip, importDump, parseImport, readDump } from '../db/transfer';
import { HubApi, RateGovernor } from '../hub/api';
import { DEFAULT_ENDPOINT, type FetchLike } from '../hub/http-source';
import { parseStudyRows } from '../stats/repo-view';
import { SMALL_N, STUDY_CLASSES, STUDY_N, studyMeasures, type StudyMeasures } from '../stats/study';

const USAGE = `usage: npm run study -- [REPO...] [--repos FILE] [--endpoint URL] [--out DIR] [--json]
  REPO            repo ids (org/name, datasets/org/name, spaces/org/name) or their URLs
  --repos FILE    more ids, one per line (commas allowed)
  --endpoint URL  another Hub, such as the local replica; default https://huggingface.co
  --out DIR       where the record (picklens.json, resumable) and the export zip go; default ./study-out
  --json          one JSON object on stdout (DESIGN.md), instead of the table
HF_TOKEN in the environment is sent to the Hub (gated repos; a user's larger rate-limit budget).`;

/** The study's published values (Casey et al.), printed beside the measures. */
const RECORD_FILE = 'picklens.json';
const EXPORT_FILE = 'picklens-export.zip';

/** The record kept under --out, written whole then renamed: an interrupted write leaves the last one. */
async function save(db: PicklensDb, dir: string): Promise<void> {
  const tmp = join(dir, `${RECORD_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(await readDump(db)));
  await rename(tmp, join(dir, RECORD_FILE));
}

/** The measures, by the study's definitions, over what the database holds (the stats page's own rows). */
export async function measuresOf(db: PicklensDb): Promise<StudyMeasures> {
  const [rows, prs] = await Promise.all([db.getAll('studyRows'), db.getAll('pullRequests')]);
  return studyMeasures(parseStudyRows(rows), prs);
}

function pct(n: number, of: number): string {
  return of ? `${((100 * n) / of).toFixed(1)}%` : '—';
}

function table(m: StudyMeasures): string {
  const adoption = m.picklens.timeToAdoption;
  const by = m.picklens.mergedBy;
  const lines = [
    `repos ${m.repos}, commits ${m.commits}`,
    `safetensors commits: ${m.safetensorsCommits.total} (conversion tool ${m.safetensorsCommits.converter}: ${pct(m.safetensorsCommits.converter, m.safetensorsCommits.total)}; the study: ${STUDY_N.toolShare}%; others ${m.safetensorsCommits.others})`,
    `converted repos that kept pytorch_model.bin: ${m.keptPickles.keptPytorchModelBin} of ${m.keptPickles.convertedRepos} (${pct(m.keptPickles.keptPytorchModelBin, m.keptPickles.convertedRepos)}; the study: ${STUDY_N.keptPickles}%); any pickle: ${m.keptPickles.keptAnyPickle}`,
    `days from the safetensors release (2022-09-22) to a repo's first safetensors commit (the study: first ${STUDY_N.firstAdoptionDays}): ${adoption.repos ? `first ${adoption.first ?? ''}, median ${adoption.median ?? ''}, 80% by ${adoption.p80 ?? ''} (${adoption.repos} repos)` : 'no repo added safetensors'}`,
    `SFconvertbot PRs: ${m.pullRequests.total}, open ${m.pullRequests.open} (${pct(m.pullRequests.open, m.pullRequests.total)}; the study: ${STUDY_N.prsOpen}%), merged ${m.pullRequests.merged} (${pct(m.pullRequests.merged, m.pullRequests.total)}; the study: ${STUDY_N.prsMerged}%), closed ${m.pullRequests.closed}, draft ${m.pullRequests.draft}`,
    `merged SFconvertbot PRs, by whom: Hub staff ${by.staff}, others ${by.others}, not known ${by.unknown}`,
    '',
    `yearly shares of model files (%), carried forward: ${'year'.padEnd(6)}${'files'.padStart(7)}  ${STUDY_CLASSES.map((k) => k.padStart(12)).join('')}`,
    ...m.yearlyShares.map(
      (y) =>
        `${' '.repeat(52)}${String(y.year).padEnd(6)}${String(y.files).padStart(7)}  ${STUDY_CLASSES.map((k) => (y.files ? (y.percent[k] ?? 0).toFixed(1) : '—').padStart(12)).join('')}`,
    ),
  ];
  if (m.repos < SMALL_N)
    lines.push('', `small n: ${m.repos} repos — shares and percentages move a lot with each repo`);
  return lines.join('\n');
}

export async function main(
  argvIn: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  fetchImpl?: FetchLike,
): Promise<number> {
  const argv = [...argvIn];
  const endpoint = takeOption(argv, '--endpoint');
  const outDir = takeOption(argv, '--out');
  const reposFile = takeOption(argv, '--repos');
  const json = argv.includes('--json');
  if (json) argv.splice(argv.indexOf('--json'), 1);
  if (argv.includes('--help')) {
    out.write(USAGE + '\n');
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('--'));
  if (endpoint === null || outDir === null || reposFile === null || unknown.length) {
    err.write(`${unknown.length ? `unknown option ${unknown.join(' ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    err.write(`--endpoint takes an http(s) URL\n${USAGE}\n`);
    return 2;
  }
  // One id per argument, and per line (or comma) of --repos: an entry with a space in it is refused whole.
  const entries = [...argv];
  if (reposFile) {
    try {
      entries.push(...(await readFile(reposFile, 'utf8')).split(/[\n,]/));
    } catch (e) {
      err.write(`--repos ${reposFile}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }
  const keys: string[] = [];
  const invalid: string[] = [];
  for (const entry of entries.map((e) => e.trim()).filter(Boolean)) {
    const parsed = parseIdList(entry);
    const key = parsed.keys[0];
    if (parsed.keys.length === 1 && !parsed.invalid.length && key) keys.push(key);
    else invalid.push(JSON.stringify(entry));
  }
  if (invalid.length) {
    err.write(
      `not repo ids: ${invalid.slice(0, 5).join(', ')}${invalid.length > 5 ? ` and ${invalid.length - 5} more` : ''}\n`,
    );
    return 2;
  }
  if (!keys.length) {
    err.write(`no repos given\n${USAGE}\n`);
    return 2;
  }
  const dir = outDir ?? 'study-out';
  await mkdir(dir, { recursive: true });
  const token = process.env.HF_TOKEN;
  const base: FetchLike = fetchImpl ?? ((u, i) => fetch(u, i));
  // The token goes to the Hub only (the CDN's signed URLs carry their own authority).
  const hub = new URL(endpoint ?? DEFAULT_ENDPOINT).origin;
  const fetchHub: FetchLike = token
    ? (u, i) =>
        new URL(u).origin === hub
          ? base(u, {
              ...i,
              headers: { ...(i?.headers as Record<string, string>), Authorization: `Bearer ${token}` },
            })
          : base(u, i)
    : base;
  const db = await openPicklensDb(`study-${process.pid}-${Date.now()}`);
  try {
    // Resume: what an earlier run recorded comes back first.
    const previous = await readFile(join(dir, RECORD_FILE)).catch(() => undefined);
    if (previous) {
      await importDump(db, parseImport(new Uint8Array(previous)));
      err.write(`resumed from ${join(dir, RECORD_FILE)}\n`);
    }
    // A user's budget with a token (HUB.md "Limits per 5 minutes": free 1,000 API calls, anonymous 500).
    const api = new HubApi({
      endpoint: endpoint ?? DEFAULT_ENDPOINT,
      fetch: fetchHub,
      governor: new RateGovernor(token ? 1000 : 500),
      onWait: (ms, why) => err.write(`waiting ${(ms / 1000).toFixed(0)} s: ${why}\n`),
    });
    const collector = new Collector(
      db,
      api,
      hubVerdictReader(api.endpoint, { fetch: fetchHub, governor: resolverGovernor() }),
    );
    let failed = 0;
    let i = 0;
    for (const key of keys) {
      i++;
      const repo = parseRepoKey(key);
      const done = (await db.get('repos', key))?.history;
      if (done) {
        err.write(`[${i}/${keys.length}] ${repo.id}: recorded before, kept\n`);
        continue;
      }
      try {
        const state = await collector.collect(repo);
        err.write(`[${i}/${keys.length}] ${repo.id}: ${state.commits} commits\n`);
      } catch (e) {
        failed++;
        err.write(
          `[${i}/${keys.length}] ${repo.id}: failed: ${e instanceof Error ? e.message : String(e)}\n`,
        );
      }
      await save(db, dir);
    }
    await save(db, dir);
    await writeFile(join(dir, EXPORT_FILE), exportZip(await readDump(db)));
    const m = await measuresOf(db);
    out.write(json ? `${JSON.stringify(m)}\n` : `${table(m)}\n`);
    err.write(
      `wrote ${join(dir, EXPORT_FILE)} (import it on the extension's stats page) and ${join(dir, RECORD_FILE)}\n`,
    );
    return failed ? 1 : 0;
  } finally {
    db.close();
  }
}
