// A repo's per-commit format history (issue 6): the commits on main (API, paged), the model files present
// after each commit (the tree API at that commit, fetched once ever, and not at every commit: see step 2's
// bisection), and each file's labels from its verdict. Verdicts are reused by content key: the same weights
// kept over 50 commits are read once, and weights already judged in any other repo are not read at all. API
// calls go through the HubApi's governor; file reads go to /resolve/ under their own, larger budget (HUB.md
// "Limits"), counted by the reader's governor.
import { classifyContent, fromFailedRead } from '../formats/classify';
import { withName } from '../formats/names';
import type { Verdict } from '../formats/types';
import { RateGovernor, type CommitInfo, type HubApi } from '../hub/api';
import { contentKeyOf } from '../hub/content-key';
import { mentionsConversionTool } from '../hub/convert-bot';
import { HubFileSource, Limiter, type FetchLike } from '../hub/http-source';
import { isModelFile } from '../hub/model-files';
import type { RepoRef } from '../hub/url';
import {
  rebuildStudyRows,
  repoKey,
  type CommitFile,
  type CommitRecord,
  type HistoryState,
  type PicklensDb,
  type RepoRecord,
} from '../db/schema';
import { versionOf } from '../stats/repo-view';
import { handleGetVerdict, handlePutVerdict } from './handlers';

/** Commits walked at most per repo, newest first; older ones are left out and the history says so. */
export const MAX_HISTORY_COMMITS = 1000;
/** Commits asked for per page of the commits API (HUB.md: at most 1000). */
const COMMITS_PAGE = 1000;
/** Files read at once while labelling a history. */
const HISTORY_READS_AT_ONCE = 4;
/** Resolver requests per 5-minute window left to the user's own browsing and downloads (HUB.md "Limits"). */
const RESOLVER_RESERVE = 300;

/** The budget history reads share: the anonymous resolver quota, counted locally. */
export function resolverGovernor(): RateGovernor {
  return new RateGovernor(3000, 300_000, RESOLVER_RESERVE, undefined, 'resolvers');
}

export interface HistoryProgress {
  phase: 'commits' | 'trees' | 'files' | 'done';
  done: number;
  total: number;
  /** A wait for the rate-limit window, a retry. */
  note?: string;
  /** When that wait ends (ms since the epoch): the page counts the time left down. */
  waitUntil?: number;
}

/** Reads one file's first bytes at a commit and classifies them (the bytes alone: `classifyContent`). */
export type ReadVerdict = (
  repo: RepoRef,
  rev: string,
  file: { path: string; size: number },
  signal?: AbortSignal,
) => Promise<Verdict>;

interface HistoryOptions {
  readVerdict: ReadVerdict;
  onProgress?: (p: HistoryProgress) => void;
  signal?: AbortSignal;
  maxCommits?: number;
  /** Fetch the tree at every commit instead of bisecting (see step 2). */
  exhaustive?: boolean;
  now?: () => number;
}

/** The model files after a commit, as one comparable string (paths and contents). */
function signature(r: CommitRecord): string {
  return r.files
    .map((f) => `${f.path}\u0000${versionOf(f)}`)
    .sort()
    .join('\u0001');
}

/** The background's reader: Range requests to /resolve/ at the commit, with the user's session. */
export function hubVerdictReader(
  endpoint: string,
  opts: {
    fetch?: FetchLike;
    credentials?: RequestCredentials;
    backoffMs?: number;
    /** The resolver budget (3,000 per 5 minutes anonymously); the reader keeps RESOLVER_RESERVE of it free. */
    governor?: RateGovernor;
    onWait?: (ms: number, why: string) => void;
  } = {},
): ReadVerdict {
  const limiter = new Limiter(HISTORY_READS_AT_ONCE);
  return (repo, rev, file, signal) =>
    classifyContent(
      new HubFileSource({ endpoint, repo, rev, path: file.path, size: file.size, limiter, signal, ...opts }),
      { name: file.path },
    );
}

/** The labels a history keeps of a verdict (the verdict itself stays in the verdicts store). */
function labelsOf(v: Verdict): Pick<CommitFile, 'paper' | 'format' | 'risk' | 'mismatch'> {
  const mismatch = v.findings.find((f) => f.code === 'extension-mismatch')?.message;
  return { paper: v.paper, format: v.format, risk: v.risk, ...(mismatch ? { mismatch } : {}) };
}

function check(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('aborted');
}

/**
 * Collects (or brings up to date) the repo's history and records it: commits, then trees of commits not yet
 * recorded, then verdicts of contents not yet known. Each phase is written when it ends, so an interrupted
 * run keeps what it fetched and the next run goes on from there.
 */
export async function collectHistory(
  db: PicklensDb,
  api: HubApi,
  repo: RepoRef,
  opts: HistoryOptions,
): Promise<HistoryState> {
  const key = repoKey(repo.type, repo.id);
  const max = opts.maxCommits ?? MAX_HISTORY_COMMITS;
  const now = opts.now ?? (() => Date.now());
  const progress = opts.onProgress ?? (() => undefined);

  // 1. The commits on main, newest first (one more than needed, to know whether any were left out).
  const listed: CommitInfo[] = [];
  progress({ phase: 'commits', done: 0, total: 0 });
  for await (const c of api.commits(repo, 'main', COMMITS_PAGE)) {
    listed.push(c);
    if (listed.length % 100 === 0) progress({ phase: 'commits', done: listed.length, total: 0 });
    if (listed.length > max) break;
    check(opts.signal);
  }
  const truncated = listed.length > max;
  const walk = listed.slice(0, max).reverse(); // oldest first

  // 2. The model files after each commit. A commit's tree is fetched once ever (a commit never changes),
  // and not every commit's: where two commits hold the same model files (paths and contents), the commits
  // between them are taken to hold them too, and only ranges whose ends differ are split (bisection, as
  // `git bisect` narrows a change to one commit). A long history of README edits costs a few trees, not one
  // per commit. Blind spot: a change undone between two such commits is not seen; `exhaustive` fetches all.
  const known = new Map((await db.getAllFromIndex('commits', 'byRepo', key)).map((c) => [c.sha, c] as const));
  const atMost = walk.filter((c) => !known.has(c.id)).length;
  const fresh: CommitRecord[] = [];
  let fetched = 0;
  let inferred = 0;
  const meta = (c: CommitInfo) => ({
    repoKey: key,
    sha: c.id,
    date: c.date,
    author: c.authors[0]?.user ?? '',
    title: c.title,
    ...(mentionsConversionTool(c.title, c.message) ? { tool: true as const } : {}),
  });
  const remember = async (record: CommitRecord) => {
    fresh.push(record);
    known.set(record.sha, record);
    // Written in small batches: a long walk interrupted half-way keeps its trees.
    if (fresh.length >= 25) await putCommits(db, fresh.splice(0));
  };
  const treeAt = async (i: number): Promise<CommitRecord> => {
    const c = walk[i]!;
    const have = known.get(c.id);
    if (have) return have;
    check(opts.signal);
    progress({ phase: 'trees', done: fetched, total: atMost });
    const files: CommitFile[] = [];
    for await (const e of api.tree(repo, c.id)) {
      if (e.type !== 'file' || !isModelFile(e.path, e.size)) continue;
      const contentKey = contentKeyOf(e);
      files.push({ path: e.path, size: e.lfs?.size ?? e.size, ...(contentKey ? { contentKey } : {}) });
    }
    fetched++;
    const record: CommitRecord = { ...meta(c), files };
    await remember(record);
    return record;
  };
  const bisect = async (lo: number, hi: number, a: CommitRecord, b: CommitRecord): Promise<void> => {
    if (hi - lo <= 1) return;
    if (!opts.exhaustive && signature(a) === signature(b)) {
      for (let j = lo + 1; j < hi; j++) {
        const c = walk[j]!;
        if (known.has(c.id)) continue;
        inferred++;
        await remember({ ...meta(c), files: a.files.map((f) => ({ ...f })), inferred: true });
      }
      return;
    }
    const mid = (lo + hi) >> 1;
    const m = await treeAt(mid);
    await bisect(lo, mid, a, m);
    await bisect(mid, hi, m, b);
  };
  if (walk.length) {
    const first = await treeAt(0);
    await bisect(0, walk.length - 1, first, await treeAt(walk.length - 1));
  }
  await putCommits(db, fresh);
  progress({ phase: 'trees', done: fetched, total: fetched });

  // 3. Labels: from verdicts already known by content key, else read once per content.
  const records = walk.map((c) => known.get(c.id)).filter((c): c is CommitRecord => !!c);
  const unlabelled = new Map<string, { rev: string; file: CommitFile }>();
  for (const r of records)
    for (const f of r.files)
      if (!f.paper) unlabelled.set(f.contentKey ?? `${r.sha}:${f.path}`, { rev: r.sha, file: f });
  // Content verdicts by content key; each file's labels add its own name's findings (withName).
  const labels = new Map<string, Verdict>();
  const toRead: [string, { rev: string; file: CommitFile }][] = [];
  for (const [ck, where] of unlabelled) {
    // Only this browser's own verdicts (an imported one is read again: handleGetVerdict).
    const v = where.file.contentKey ? await handleGetVerdict(db, where.file.contentKey) : null;
    if (v) labels.set(ck, v);
    else toRead.push([ck, where]);
  }
  let read = 0;
  progress({ phase: 'files', done: 0, total: toRead.length });
  await Promise.all(
    toRead.map(async ([ck, { rev, file }]) => {
      check(opts.signal);
      const v = await opts.readVerdict(repo, rev, file, opts.signal);
      progress({ phase: 'files', done: ++read, total: toRead.length });
      if (fromFailedRead(v)) return;
      labels.set(ck, v);
      if (file.contentKey)
        await handlePutVerdict(
          db,
          { contentKey: file.contentKey, verdict: v, repo, rev, path: file.path },
          now(),
        );
    }),
  );

  // 4. Labels copied into the commit records, and the repo's history state, in one transaction.
  let unread = 0;
  const changed: CommitRecord[] = [];
  for (const r of records) {
    let touched = false;
    const files = r.files.map((f) => {
      if (f.paper) return f;
      const l = labels.get(f.contentKey ?? `${r.sha}:${f.path}`);
      if (!l) {
        unread++;
        return f;
      }
      touched = true;
      return { ...f, ...labelsOf(withName(l, f.path)) };
    });
    if (touched) changed.push({ ...r, files });
  }
  const state: HistoryState = {
    at: now(),
    head: listed[0]?.id ?? '',
    commits: Math.min(listed.length, max),
    truncated,
    unread,
    trees: fetched,
    inferred,
  };
  const tx = db.transaction(['commits', 'repos', 'studyRows'], 'readwrite');
  const repos = tx.objectStore('repos');
  const existing = await repos.get(key);
  const record: RepoRecord = existing
    ? { ...existing, history: state }
    : { repoKey: key, type: repo.type, id: repo.id, firstVisit: 0, lastVisit: 0, visits: 0, history: state };
  await Promise.all(changed.map((c) => tx.objectStore('commits').put(c)));
  await repos.put(record);
  await rebuildStudyRows(tx, [key]);
  await tx.done;
  progress({ phase: 'done', done: records.length, total: records.length });
  return state;
}

async function putCommits(db: PicklensDb, records: CommitRecord[]): Promise<void> {
  if (!records.length) return;
  const tx = db.transaction('commits', 'readwrite');
  await Promise.all([...records.map((r) => tx.store.put(r)), tx.done]);
}
