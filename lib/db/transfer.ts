// Export and import of the local record (issue 6). The export is one zip (fflate): CSVs in the study's shape
// (one row per repo, commit and model file: repo url, commit hash, file path, format, then our columns), the
// conversion PRs, the repos, and `picklens.json`, the full dump that import reads back. Import merges a dump
// into what is recorded without duplicating anything, in one transaction: all of it lands or none.
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { ENGINE_VERSION, FINDING_CODES, FORMATS, PAPER_LABELS, RISKS } from '../formats/types';
import { HUB_ORIGIN, repoPath } from '../hub/url';
import { isBotMerge } from '../stats/aggregates';
import { statusEvent, studyClass } from '../stats/study';
import { deflateMember, zipMembers, type RawMember } from './zip-members';
import {
  DB_VERSION,
  RECORD_STORES,
  parseRepoKey,
  rebuildStudyRows,
  type CommitFile,
  type CommitRecord,
  type FileRecord,
  type PicklensDb,
  type PullRequestRecord,
  type RepoRecord,
  type VerdictRecord,
  type VisitRecord,
} from './schema';

export const DUMP_FORMAT = 'picklens-dump';
export const DUMP_VERSION = 1;
export const DUMP_FILE = 'picklens.json';
/** An import larger than this is refused before it is parsed (the page holds it in memory). */
const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

export interface Dump {
  format: typeof DUMP_FORMAT;
  version: number;
  /** The database schema the records follow. */
  schema: number;
  engine: string;
  exportedAt: string;
  stores: {
    verdicts: VerdictRecord[];
    files: FileRecord[];
    repos: RepoRecord[];
    visits: VisitRecord[];
    pullRequests: PullRequestRecord[];
    commits: CommitRecord[];
  };
}

/** Everything recorded, read in one transaction (a consistent snapshot). */
export async function readDump(db: PicklensDb, now = new Date()): Promise<Dump> {
  const tx = db.transaction([...RECORD_STORES], 'readonly');
  const [verdicts, files, repos, visits, pullRequests, commits] = await Promise.all([
    tx.objectStore('verdicts').getAll(),
    tx.objectStore('files').getAll(),
    tx.objectStore('repos').getAll(),
    tx.objectStore('visits').getAll(),
    tx.objectStore('pullRequests').getAll(),
    tx.objectStore('commits').getAll(),
  ]);
  await tx.done;
  return {
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    schema: DB_VERSION,
    engine: ENGINE_VERSION,
    exportedAt: now.toISOString(),
    stores: { verdicts, files, repos, visits, pullRequests, commits },
  };
}

function repoUrl(key: string): string {
  return `${HUB_ORIGIN}/${repoPath(parseRepoKey(key))}`;
}

/**
 * One CSV field (RFC 4180). Text from the Hub (titles, paths) that a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR first; OWASP "CSV injection") is prefixed with an apostrophe; the JSON dump is exact.
 */
export function csvField(v: string | number | boolean | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV text: the header, then rows given as fields (escaped here) or as lines already escaped. */
function csv(header: string[], rows: Iterable<(string | number | boolean | undefined)[] | string>): string {
  const out = [header.join(',')];
  for (const r of rows) out.push(typeof r === 'string' ? r : r.map(csvField).join(','));
  return `${out.join('\r\n')}\r\n`;
}

const iso = (ms: number) => (ms ? new Date(ms).toISOString() : '');

/** The study's class of a file (Fig. 6), or undetermined (also for files outside its 16 extensions). */
function studyFormat(f: CommitFile): string {
  const k = studyClass(f);
  return k === undefined ? 'undetermined' : k;
}

function commitsCsv(d: Dump): string {
  const sorted = [...d.stores.commits].sort(
    (a, b) => a.repoKey.localeCompare(b.repoKey) || a.date.localeCompare(b.date),
  );
  // The commit's own fields are escaped once per commit, not once per file (200,000 rows at scale).
  function* rows() {
    for (const c of sorted) {
      const head = `${csvField(repoUrl(c.repoKey))},${csvField(c.sha)}`;
      const commit = [c.date, c.author, c.title, isBotMerge(c)].map(csvField).join(',');
      for (const f of c.files)
        yield `${head},${csvField(f.path)},${f.paper ?? ''},${commit},${f.format ?? ''},${f.risk ?? ''},${f.size},${csvField(f.contentKey)},${f.mismatch ? 'yes' : ''},${c.inferred ? 'yes' : ''},${studyFormat(f)}`;
    }
  }
  return csv(
    [
      'repo_url',
      'commit_hash',
      'file_path',
      'format',
      'commit_date',
      'commit_author',
      'commit_title',
      'bot_merge',
      'picklens_format',
      'risk',
      'size',
      'content_key',
      'extension_lies',
      'files_inferred',
      'study_format',
    ],
    rows(),
  );
}

function pullRequestsCsv(d: Dump): string {
  const sorted = [...d.stores.pullRequests].sort(
    (a, b) => a.repoKey.localeCompare(b.repoKey) || a.num - b.num,
  );
  return csv(
    [
      'repo_url',
      'num',
      'title',
      'author',
      'created_at',
      'status',
      'status_history',
      'verification',
      'verified_at',
      'status_by',
      'status_by_staff',
    ],
    sorted.map((p) => {
      const by = statusEvent(p);
      return [
        repoUrl(p.repoKey),
        p.num,
        p.title,
        p.author,
        p.createdAt,
        p.status,
        p.history.map((h) => `${h.status}@${iso(h.at)}`).join(' '),
        p.verification?.verdict ?? '',
        p.verification ? iso(p.verification.at) : '',
        by?.by ?? '',
        by?.staff === undefined ? '' : String(by.staff),
      ];
    }),
  );
}

function reposCsv(d: Dump): string {
  const sorted = [...d.stores.repos].sort((a, b) => a.repoKey.localeCompare(b.repoKey));
  return csv(
    [
      'repo_url',
      'type',
      'id',
      'visits',
      'first_visit',
      'last_visit',
      'history_collected',
      'head_commit',
      'commits',
      'truncated',
      'unread_files',
    ],
    sorted.map((r) => [
      repoUrl(r.repoKey),
      r.type,
      r.id,
      r.visits,
      iso(r.firstVisit),
      iso(r.lastVisit),
      iso(r.history?.at ?? 0),
      r.history?.head ?? '',
      r.history?.commits ?? '',
      r.history ? r.history.truncated : '',
      r.history?.unread ?? '',
    ]),
  );
}

const README = `Picklens export
commits.csv        one row per repo, commit and model file present after it (the study's shape:
                   repo_url, commit_hash, file_path, format = the study's label R1-R5), then Picklens's
                   columns (its format, risk, size, content key, whether the file name lies)
pull_requests.csv  SFconvertbot conversion PRs, their state and every state seen (status@time)
repos.csv          the repos recorded: visits and history collection
picklens.json      everything, exactly; Picklens imports this file (or this zip) back
Text from the Hub that a spreadsheet would read as a formula is prefixed with ' in the CSVs only.
`;

/** The full record as the export's JSON member (the largest: the page deflates it in a worker). */
export function jsonMember(d: Dump): RawMember {
  return { name: DUMP_FILE, bytes: strToU8(JSON.stringify(d)) };
}

/** The export's README and CSV members. */
export function csvMembers(d: Dump): RawMember[] {
  return [
    { name: 'README.txt', bytes: strToU8(README) },
    { name: 'commits.csv', bytes: strToU8(commitsCsv(d)) },
    { name: 'pull_requests.csv', bytes: strToU8(pullRequestsCsv(d)) },
    { name: 'repos.csv', bytes: strToU8(reposCsv(d)) },
  ];
}

/** Records into `timings` the milliseconds since the previous lap, under each lap's name. */
export function stopwatch(timings: Record<string, number> = {}): (name: string) => void {
  let t = performance.now();
  return (name) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
}

/** The export zip, in one thread; `timings` (optional) receives each step's milliseconds. */
export function exportZip(d: Dump, timings?: Record<string, number>): Uint8Array {
  const lap = stopwatch(timings);
  const csv = csvMembers(d);
  lap('csv');
  const json = jsonMember(d);
  lap('json');
  const zip = zipMembers([...csv, json].map(deflateMember));
  lap('zip');
  return zip;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): x is string => typeof x === 'string';
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const opt = (x: unknown, test: (y: unknown) => boolean) => x === undefined || test(x);
const oneOf =
  (set: readonly string[]) =>
  (x: unknown): boolean =>
    str(x) && set.includes(x);
const listOf = (x: unknown, test: (y: Record<string, unknown>) => boolean) =>
  Array.isArray(x) && x.every((y) => isObj(y) && test(y));
const REPO_KEY = /^(model|dataset|space):[^\s]+$/;

/**
 * What every record must be to be stored: every field the extension reads, with its type (an export from a
 * stranger must not break the popup or the stats page, or be stored half-shaped).
 */
const CHECKS: Record<(typeof RECORD_STORES)[number], (r: Record<string, unknown>) => boolean> = {
  verdicts: (r) => {
    const v = r.verdict;
    return (
      str(r.key) &&
      str(r.contentKey) &&
      str(r.engine) &&
      num(r.at) &&
      isObj(v) &&
      oneOf(PAPER_LABELS)(v.paper) &&
      oneOf(FORMATS)(v.format) &&
      oneOf(RISKS)(v.risk) &&
      listOf(v.imports, (i) => str(i.module) && str(i.name) && str(i.safety)) &&
      listOf(
        v.findings,
        (f) =>
          oneOf(FINDING_CODES)(f.code) &&
          str(f.severity) &&
          str(f.message) &&
          (f.cause === undefined || str(f.cause)),
      ) &&
      isObj(v.details) &&
      num(v.bytesRead) &&
      num(v.requests)
    );
  },
  files: (r) => str(r.repoKey) && str(r.rev) && str(r.path) && str(r.contentKey) && num(r.at),
  repos: (r) =>
    str(r.repoKey) &&
    REPO_KEY.test(r.repoKey) &&
    oneOf(['model', 'dataset', 'space'])(r.type) &&
    str(r.id) &&
    num(r.firstVisit) &&
    num(r.lastVisit) &&
    num(r.visits) &&
    opt(
      r.history,
      (h) =>
        isObj(h) &&
        num(h.at) &&
        str(h.head) &&
        num(h.commits) &&
        typeof h.truncated === 'boolean' &&
        num(h.unread),
    ),
  visits: (r) =>
    str(r.repoKey) &&
    str(r.url) &&
    str(r.page) &&
    num(r.at) &&
    opt(r.id, (id) => num(id) && Number.isInteger(id) && id > 0),
  pullRequests: (r) =>
    str(r.repoKey) &&
    REPO_KEY.test(r.repoKey) &&
    num(r.num) &&
    Number.isInteger(r.num) &&
    str(r.title) &&
    str(r.author) &&
    str(r.createdAt) &&
    str(r.status) &&
    listOf(r.history, (h) => str(h.status) && num(h.at)) &&
    opt(r.events, (e) =>
      listOf(
        e,
        (x) => str(x.status) && str(x.at) && str(x.by) && opt(x.staff, (b) => typeof b === 'boolean'),
      ),
    ) &&
    opt(
      r.verification,
      (v) =>
        isObj(v) &&
        ['equivalent', 'equivalent-with-ties', 'differs', 'unverifiable'].includes(v.verdict as string) &&
        num(v.at) &&
        opt(v.head, str) &&
        opt(v.base, str) &&
        num(v.tensors) &&
        num(v.compared) &&
        num(v.coverage) &&
        num(v.ties) &&
        num(v.differenceCount) &&
        Array.isArray(v.differences) &&
        v.differences.every(str) &&
        opt(v.reason, str) &&
        num(v.requests) &&
        num(v.bytesRead),
    ),
  commits: (r) =>
    str(r.repoKey) &&
    REPO_KEY.test(r.repoKey) &&
    str(r.sha) &&
    str(r.date) &&
    str(r.author) &&
    str(r.title) &&
    opt(r.inferred, (x) => x === true) &&
    opt(r.tool, (x) => x === true) &&
    listOf(
      r.files,
      (f) =>
        str(f.path) &&
        num(f.size) &&
        opt(f.contentKey, str) &&
        opt(f.paper, oneOf(PAPER_LABELS)) &&
        opt(f.format, oneOf(FORMATS)) &&
        opt(f.risk, oneOf(RISKS)) &&
        opt(f.mismatch, str),
    ),
};

/** A dump from an export zip or its picklens.json; a clear ImportError for anything else. */
export function parseImport(bytes: Uint8Array): Dump {
  if (bytes.length > MAX_IMPORT_BYTES) throw new ImportError('the file is larger than 1 GiB');
  let text: string;
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes, { filter: (f) => f.name === DUMP_FILE });
    } catch (e) {
      throw new ImportError(
        `This zip cannot be read (${e instanceof Error ? e.message : String(e)}): it is damaged or not a Picklens export.`,
      );
    }
    const json = files[DUMP_FILE];
    if (!json)
      throw new ImportError(
        `This zip is not a Picklens export: it has no ${DUMP_FILE}. Import the zip the Export button made.`,
      );
    text = strFromU8(json);
  } else text = strFromU8(bytes);
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch {
    throw new ImportError(
      'This file is not a Picklens export: import the zip the Export button made, or its picklens.json.',
    );
  }
  assertDump(d);
  return d;
}

/** Every record of every store checked (CHECKS); the first that fails is named in the ImportError. */
function assertDump(d: unknown): asserts d is Dump {
  if (!isObj(d) || d.format !== DUMP_FORMAT)
    throw new ImportError('not a Picklens export (no "format": "picklens-dump")');
  if (!num(d.version) || d.version > DUMP_VERSION)
    throw new ImportError(
      `export version ${String(d.version)} is newer than this Picklens reads (${DUMP_VERSION})`,
    );
  if (!isObj(d.stores)) throw new ImportError('the export has no "stores"');
  const stores = d.stores;
  for (const s of RECORD_STORES) {
    const list = stores[s] ?? [];
    if (!Array.isArray(list)) throw new ImportError(`"${s}" is not a list`);
    const bad = list.findIndex((r) => !isObj(r) || !CHECKS[s](r));
    if (bad >= 0) throw new ImportError(`${s}[${bad}] is not a valid record`);
    stores[s] = list;
  }
}

type ImportCounts = Record<(typeof RECORD_STORES)[number], { added: number; merged: number }>;

/** A compound key (an IndexedDB key path's values) as one string, for sets of keys already held. */
const joinKey = (parts: readonly (string | number)[]) => parts.join('\u0000');
const visitId = (v: VisitRecord) => joinKey([v.repoKey, v.at, v.url, v.page]);

/** PR histories merged: every (status, time) seen by either side, once, oldest first. */
function mergePr(a: PullRequestRecord, b: PullRequestRecord): PullRequestRecord {
  const seen = new Map<string, { status: string; at: number }>();
  for (const h of [...a.history, ...b.history]) seen.set(`${h.status}@${h.at}`, h);
  const history = [...seen.values()].sort((x, y) => x.at - y.at);
  const newer = (b.history.at(-1)?.at ?? 0) > (a.history.at(-1)?.at ?? 0) ? b : a;
  // The newer check of the conversion, whichever record holds it.
  const checks = [a.verification, b.verification].filter((v) => v !== undefined);
  const verification = checks.sort((x, y) => y.at - x.at)[0];
  return {
    ...newer,
    history,
    status: history.at(-1)?.status ?? newer.status,
    ...(verification ? { verification } : {}),
  };
}

function mergeRepo(a: RepoRecord, b: RepoRecord): RepoRecord {
  const firsts = [a.firstVisit, b.firstVisit].filter((t) => t > 0);
  const history = !a.history
    ? b.history
    : !b.history
      ? a.history
      : b.history.at > a.history.at
        ? b.history
        : a.history;
  return {
    ...a,
    firstVisit: firsts.length ? Math.min(...firsts) : 0,
    lastVisit: Math.max(a.lastVisit, b.lastVisit),
    visits: Math.max(a.visits, b.visits),
    ...(history ? { history } : {}),
  };
}

const labelled = (c: CommitRecord) => c.files.filter((f) => f.paper).length;

/**
 * Merges a dump into the database in one transaction. A record already present is kept or merged, never
 * doubled: verdicts and files by key, visits by (repo, time, url, page), PR status histories united, a
 * commit's labels taken from whichever side has more. Importing the same dump twice changes nothing.
 */
export async function importDump(
  db: PicklensDb,
  d: Dump,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportCounts> {
  const counts = Object.fromEntries(RECORD_STORES.map((s) => [s, { added: 0, merged: 0 }])) as ImportCounts;
  const tx = db.transaction([...RECORD_STORES, 'studyRows', 'untrusted'], 'readwrite');
  const s = d.stores;
  const pending: Promise<unknown>[] = [];
  const touched = new Set<string>();
  // Progress: records examined, reported every 2,000 (a 10,000-repo dump holds ~100,000 records).
  const total = RECORD_STORES.reduce((n, k) => n + (s[k]?.length ?? 0), 0);
  let examined = 0;
  const tick = () => {
    if (++examined % 2000 === 0) onProgress?.(examined, total);
  };

  const verdicts = tx.objectStore('verdicts');
  const haveVerdicts = new Set(await verdicts.getAllKeys());
  for (const v of s.verdicts) {
    tick();
    if (!haveVerdicts.has(v.key)) {
      pending.push(verdicts.put(v));
      // Restored as recorded, but never trusted for a badge (lib/background/handlers handleGetVerdict).
      pending.push(tx.objectStore('untrusted').put(v.at, v.key));
      haveVerdicts.add(v.key);
      counts.verdicts.added++;
    }
  }

  const files = tx.objectStore('files');
  const haveFiles = new Set((await files.getAllKeys()).map(joinKey));
  for (const f of s.files) {
    tick();
    const k = joinKey([f.repoKey, f.rev, f.path]);
    if (haveFiles.has(k)) continue;
    pending.push(files.put(f));
    haveFiles.add(k);
    counts.files.added++;
  }

  // Keys first: a record the database does not hold is put without a read (10,000 reads cost seconds).
  const repos = tx.objectStore('repos');
  const haveRepos = new Set(await repos.getAllKeys());
  for (const r of s.repos) {
    tick();
    const old = haveRepos.has(r.repoKey) ? await repos.get(r.repoKey) : undefined;
    haveRepos.add(r.repoKey);
    pending.push(repos.put(old ? mergeRepo(old, r) : r));
    counts.repos[old ? 'merged' : 'added']++;
  }

  const visits = tx.objectStore('visits');
  const existing = await visits.getAll();
  const haveVisits = new Set(existing.map(visitId));
  const usedIds = new Set(existing.map((v) => v.id));
  for (const v of s.visits) {
    tick();
    if (haveVisits.has(visitId(v))) continue;
    haveVisits.add(visitId(v));
    if (v.id !== undefined && !usedIds.has(v.id)) {
      usedIds.add(v.id);
      pending.push(visits.put(v));
    } else {
      const rest: VisitRecord = { ...v };
      delete rest.id;
      pending.push(visits.add(rest));
    }
    counts.visits.added++;
  }

  const prs = tx.objectStore('pullRequests');
  const havePrs = new Set((await prs.getAllKeys()).map(joinKey));
  for (const p of s.pullRequests) {
    tick();
    const k = joinKey([p.repoKey, p.num]);
    const old = havePrs.has(k) ? await prs.get([p.repoKey, p.num]) : undefined;
    havePrs.add(k);
    pending.push(prs.put(old ? mergePr(old, p) : p));
    counts.pullRequests[old ? 'merged' : 'added']++;
  }

  const commits = tx.objectStore('commits');
  const commitKeys = await commits.getAllKeys();
  const haveCommits = new Set(commitKeys.map(joinKey));
  const reposWithCommits = new Set(commitKeys.map((k) => k[0]));
  for (const c of s.commits) {
    tick();
    const k = joinKey([c.repoKey, c.sha]);
    const old = haveCommits.has(k) ? await commits.get([c.repoKey, c.sha]) : undefined;
    if (!old) {
      haveCommits.add(k);
      pending.push(commits.put(c));
      counts.commits.added++;
      touched.add(c.repoKey);
    } else if (labelled(c) > labelled(old)) {
      pending.push(commits.put(c));
      counts.commits.merged++;
      touched.add(c.repoKey);
    }
  }
  await Promise.all(pending);
  // Repos the database held no commits of have all theirs in the dump: their rows are built from memory.
  const fromDump = new Map<string, CommitRecord[]>();
  for (const c of s.commits)
    if (touched.has(c.repoKey) && !reposWithCommits.has(c.repoKey)) {
      const list = fromDump.get(c.repoKey);
      if (list) list.push(c);
      else fromDump.set(c.repoKey, [c]);
    }
  await rebuildStudyRows(tx, touched, fromDump);
  await tx.done;
  return counts;
}
