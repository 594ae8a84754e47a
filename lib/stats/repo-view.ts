// One repo's story from its recorded commits (the popup): the commits that changed model files, the formats
// present after each, and the findings the study cares about. Pure functions over plain records.
import { byDate } from '../dates';
import type { CommitFile, CommitRecord } from '../db/schema';
import type { Format, PaperLabel } from '../formats/types';
import {
  PICKLE_LABELS,
  convertedKeptPickles,
  formatSharesByYear,
  isBotMerge,
  prStatesByYear,
  safetensorsAdditions,
  type AdoptionPoint,
  type CommitSnapshot,
  type KeptPickles,
  type PrYear,
  type PullRequestState,
  type YearShares,
} from './aggregates';

/** A model file after a commit, and a commit with its files, as recorded (lib/db). */
type ViewFile = CommitFile;
export type ViewCommit = CommitRecord;

interface HistoryRow {
  sha: string;
  date: string;
  author: string;
  title: string;
  /** A merge of the conversion bot's PR. */
  bot: boolean;
  added: string[];
  changed: string[];
  removed: string[];
  /** Formats present after this commit, with their file counts, most files first. */
  formats: { format: Format | 'unread'; files: number }[];
}

/** A file version's identity: its content key, else its size (a tree entry without an oid). */
export function versionOf(f: { contentKey?: string; size: number }): string {
  return f.contentKey ?? String(f.size);
}

/** Path → version of the model files after a commit. */
const versions = (c: ViewCommit) => new Map(c.files.map((f) => [f.path, versionOf(f)]));

/** Oldest to newest, only commits after which the set of model files (path and content) differs. */
export function modelHistory(commits: ViewCommit[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let before = new Map<string, string>();
  for (const c of [...commits].sort(byDate)) {
    const now = versions(c);
    const added = [...now.keys()].filter((p) => !before.has(p));
    const removed = [...before.keys()].filter((p) => !now.has(p));
    const changed = [...now].filter(([p, k]) => before.has(p) && before.get(p) !== k).map(([p]) => p);
    before = now;
    if (!added.length && !removed.length && !changed.length) continue;
    const counts = new Map<Format | 'unread', number>();
    for (const f of c.files) counts.set(f.format ?? 'unread', (counts.get(f.format ?? 'unread') ?? 0) + 1);
    rows.push({
      sha: c.sha,
      date: c.date,
      author: c.author,
      title: c.title,
      bot: isBotMerge(c),
      added: added.sort(),
      changed: changed.sort(),
      removed: removed.sort(),
      formats: [...counts]
        .map(([format, files]) => ({ format, files }))
        .sort((a, b) => b.files - a.files || (a.format < b.format ? -1 : 1)),
    });
  }
  return rows;
}

interface RepoFindings {
  /** Safetensors were added while pickle-family weights stayed (the study: 98.7% of converted repos). */
  keptPickles?: { safetensors: string[]; pickles: string[]; convertedAt: string; sha: string };
  /** Pickle weights changed after the newest safetensors file: the safetensors may be an old copy. */
  stale: { path: string; changedAt: string; safetensorsAt: string }[];
  /** Files whose name says one format and whose bytes say another. */
  lying: { path: string; format?: Format; message: string }[];
}

const isPickle = (f: ViewFile) => !!f.paper && PICKLE_LABELS.has(f.paper);
const isSafetensors = (f: ViewFile) => f.paper === 'safetensors';

/** When each file present at the newest commit last changed (added or content changed). */
function lastChanged(sorted: ViewCommit[]): Map<string, string> {
  const at = new Map<string, string>();
  let before = new Map<string, string>();
  for (const c of sorted) {
    const now = versions(c);
    for (const [p, k] of now) if (before.get(p) !== k) at.set(p, c.date);
    before = now;
  }
  return at;
}

export function repoFindings(commits: ViewCommit[]): RepoFindings {
  const sorted = [...commits].sort(byDate);
  const head = sorted[sorted.length - 1];
  const out: RepoFindings = { stale: [], lying: [] };
  if (!head) return out;
  const st = head.files.filter(isSafetensors);
  const pk = head.files.filter(isPickle);
  // Conversion: the first commit with safetensors after one with pickle weights.
  const conversion = sorted.find(
    (c, i) => c.files.some(isSafetensors) && sorted.slice(0, i).some((p) => p.files.some(isPickle)),
  );
  if (conversion && st.length && pk.length)
    out.keptPickles = {
      safetensors: st.map((f) => f.path).sort(),
      pickles: pk.map((f) => f.path).sort(),
      convertedAt: conversion.date,
      sha: conversion.sha,
    };
  if (st.length && pk.length) {
    const at = lastChanged(sorted);
    const newestSt =
      st
        .map((f) => at.get(f.path) ?? '')
        .sort()
        .pop() ?? '';
    for (const f of pk) {
      const changedAt = at.get(f.path) ?? '';
      if (changedAt > newestSt) out.stale.push({ path: f.path, changedAt, safetensorsAt: newestSt });
    }
  }
  for (const f of head.files)
    if (f.mismatch) out.lying.push({ path: f.path, format: f.format, message: f.mismatch });
  return out;
}

/** What the study's figures read of a commit (a CommitRecord is one; so is a parsed study row). */
export interface StudyCommit {
  repoKey: string;
  sha: string;
  date: string;
  author: string;
  title: string;
  tool?: boolean;
  files: { path: string; paper?: PaperLabel; format?: Format }[];
}

/** The compact rows the database keeps per repo (lib/db rebuildStudyRows), back to commits. */
export function parseStudyRows(records: { repoKey: string; json: string }[]): StudyCommit[] {
  const out: StudyCommit[] = [];
  for (const r of records) {
    const list = JSON.parse(r.json) as Omit<StudyCommit, 'repoKey'>[];
    for (const c of list) out.push({ ...c, repoKey: r.repoKey });
  }
  return out;
}

/** The study's view of recorded commits: every file with its label (unread files count as unknown). */
export function snapshotsOf(commits: StudyCommit[]): CommitSnapshot[] {
  return commits.map((c) =>
    // A commit whose files are all labelled is already a snapshot: no copy (40,000 commits at scale).
    c.files.every((f) => f.paper)
      ? (c as CommitSnapshot)
      : {
          repoKey: c.repoKey,
          sha: c.sha,
          date: c.date,
          author: c.author,
          title: c.title,
          files: c.files.map((f) => ({ path: f.path, paper: f.paper ?? 'unknown' })),
        },
  );
}

export interface StatsFilter {
  /** model, dataset, space; empty for all. */
  type?: string;
  /** The namespace (user or organization), case-insensitive; empty for all. */
  owner?: string;
  /** ISO dates (inclusive); commits and PRs outside are left out. */
  from?: string;
  to?: string;
}

function keyMatches(repoKey: string, f: StatsFilter): boolean {
  const i = repoKey.indexOf(':');
  if (f.type && repoKey.slice(0, i) !== f.type) return false;
  if (f.owner) {
    const id = repoKey.slice(i + 1);
    const ns = id.includes('/') ? id.slice(0, id.indexOf('/')) : '';
    if (ns.toLowerCase() !== f.owner.trim().toLowerCase()) return false;
  }
  return true;
}

function dateIn(iso: string, f: StatsFilter): boolean {
  // `to` is a day: everything on that day is in.
  return (!f.from || iso.slice(0, 10) >= f.from) && (!f.to || iso.slice(0, 10) <= f.to);
}

export function filterCommits<T extends { repoKey: string; date: string }>(list: T[], f: StatsFilter): T[] {
  return list.filter((c) => keyMatches(c.repoKey, f) && dateIn(c.date, f));
}

export function filterPrs<T extends { repoKey: string; createdAt: string }>(list: T[], f: StatsFilter): T[] {
  return list.filter((p) => keyMatches(p.repoKey, f) && dateIn(p.createdAt, f));
}

interface StudyStats {
  repos: number;
  commits: number;
  pullRequests: number;
  shares: YearShares[];
  adoption: AdoptionPoint[];
  prs: PrYear[];
  kept: KeptPickles;
}

const PR_STATES = new Set(['open', 'closed', 'merged', 'draft']);

/**
 * The stats page's numbers. Type and owner filters pick repos. The date range is read as a study period:
 * each repo's history up to `to` (so a safetensors file added before `from` is not counted as added again at
 * the first commit after it), then the yearly and monthly rows from `from`'s year and month on, the commits
 * counted within the range, and the PRs opened within it. Kept pickles: repos converted up to `to`.
 */
export function studyStats(
  commits: StudyCommit[],
  prs: { repoKey: string; num: number; createdAt: string; status: string }[],
  filter: StatsFilter,
): StudyStats {
  const upTo = snapshotsOf(filterCommits(commits, { ...filter, from: undefined }));
  const inRange = filter.from ? filterCommits(upTo, filter) : upTo;
  const fromYear = filter.from?.slice(0, 4) ?? '';
  const fromMonth = filter.from?.slice(0, 7) ?? '';
  const states = filterPrs(
    prs.filter((p): p is PullRequestState => PR_STATES.has(p.status)),
    filter,
  );
  return {
    repos: new Set(inRange.map((s) => s.repoKey)).size,
    commits: inRange.length,
    pullRequests: states.length,
    shares: formatSharesByYear(upTo).filter((y) => y.year >= fromYear),
    adoption: safetensorsAdditions(upTo).filter((p) => p.month >= fromMonth),
    prs: prStatesByYear(states),
    kept: convertedKeptPickles(upTo),
  };
}
