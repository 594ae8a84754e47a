// Picklens's local record, in IndexedDB through idb. Versioned: MIGRATIONS[v] takes a database at version v
// to v+1, applied in order inside the upgrade transaction, so any older database opens at the newest shape.
import { byDate } from '../dates';
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Format, PaperLabel, Risk, Verdict } from '../formats/types';
import type { RepoType } from '../hub/url';

const DB_NAME = 'picklens';
export const DB_VERSION = 3;

export interface VerdictRecord {
  /** `${contentKey}@${engineVersion}`: an engine upgrade rescans. */
  key: string;
  contentKey: string;
  engine: string;
  verdict: Verdict;
  at: number;
}

export interface FileRecord {
  repoKey: string;
  rev: string;
  path: string;
  contentKey: string;
  at: number;
}

export interface RepoRecord {
  repoKey: string;
  type: RepoType;
  id: string;
  /** 0 for a repo only collected (batch, popup), never visited. */
  firstVisit: number;
  lastVisit: number;
  visits: number;
  /** The last time its format history was collected (schema v2). */
  history?: HistoryState;
}

export interface HistoryState {
  at: number;
  /** The newest commit seen on main. */
  head: string;
  /** Commits on main. */
  commits: number;
  /** True when only the newest MAX_HISTORY_COMMITS were walked. */
  truncated: boolean;
  /** Files whose bytes could not be read (gated, network): their label is unknown. */
  unread: number;
  /** Trees fetched by this collection, and commits whose files were inferred from their neighbours. */
  trees?: number;
  inferred?: number;
}

/** A model file present after a commit; the labels are copied from its verdict when it was known. */
export interface CommitFile {
  path: string;
  size: number;
  contentKey?: string;
  paper?: PaperLabel;
  format?: Format;
  risk?: Risk;
  /** The engine's extension-mismatch finding, when the name lies about the bytes. */
  mismatch?: string;
}

/** One commit on a repo's main branch and the model files present after it (a commit never changes). */
export interface CommitRecord {
  repoKey: string;
  sha: string;
  /** ISO date. */
  date: string;
  author: string;
  title: string;
  /** Its message (title or body) names the conversion tool: the study's test of a tool commit. */
  tool?: true;
  files: CommitFile[];
  /** Its files were not fetched: the commits before and after it hold the same (lib/background/history). */
  inferred?: true;
}

/**
 * A repo's commits reduced to what the study's figures read (date, author, title, each file's path and
 * label), as one JSON string: the stats page reads 10,000 of these far faster than 40,000 commit records.
 * Derived from the commits store and rewritten with it (history, import); never exported.
 */
interface StudyRowsRecord {
  repoKey: string;
  /** JSON of StudyCommit[] (lib/stats/repo-view.ts), oldest first. */
  json: string;
}

/** The batch collection's state, kept so that it resumes after a reload (one record, key 'batch'). */
export interface BatchRecord {
  ids: string[];
  state: 'running' | 'paused' | 'done';
  /** Per repo id, what happened; ids not here are still to do. */
  results: Record<string, { ok: boolean; error?: string; at: number }>;
  /** Read every commit's tree instead of bisecting (lib/background/history). */
  exhaustive?: boolean;
  startedAt: number;
  updatedAt: number;
}

export interface VisitRecord {
  id?: number;
  repoKey: string;
  url: string;
  page: string;
  at: number;
}

export interface PullRequestRecord {
  repoKey: string;
  num: number;
  title: string;
  author: string;
  createdAt: string;
  status: string;
  /** Every status seen, oldest first: a change appears as a new entry on the next visit. */
  history: { status: string; at: number }[];
  /** The Hub's own status changes (discussion events), fetched when the PR is no longer open. */
  events?: {
    status: string;
    at: string;
    by: string;
    /** The Hub's `author.isHf`, where it said. */ staff?: boolean;
  }[];
  /** The last check of the conversion against the checkpoint (lib/hub/verify-pr.ts), in brief. */
  verification?: VerificationSummary;
}

/** What is kept of a conversion check: the verdict, what it compared, its first differences, its cost. */
export interface VerificationSummary {
  verdict: 'equivalent' | 'equivalent-with-ties' | 'differs' | 'unverifiable';
  at: number;
  head?: string;
  base?: string;
  tensors: number;
  compared: number;
  coverage: number;
  ties: number;
  differenceCount: number;
  /** The first few, in words. */
  differences: string[];
  reason?: string;
  requests: number;
  bytesRead: number;
}

interface PicklensSchema extends DBSchema {
  verdicts: { key: string; value: VerdictRecord };
  files: { key: [string, string, string]; value: FileRecord; indexes: { byRepo: string; byContent: string } };
  repos: { key: string; value: RepoRecord };
  visits: { key: number; value: VisitRecord; indexes: { byRepo: string } };
  pullRequests: { key: [string, number]; value: PullRequestRecord; indexes: { byRepo: string } };
  settings: { key: string; value: unknown };
  commits: { key: [string, string]; value: CommitRecord; indexes: { byRepo: string } };
  jobs: { key: string; value: BatchRecord };
  studyRows: { key: string; value: StudyRowsRecord };
  /** Keys of verdicts that came from an import: kept and exported, never trusted for a badge (see below). */
  untrusted: { key: string; value: number };
}

export type PicklensDb = IDBPDatabase<PicklensSchema>;
type UpgradeTx = IDBPTransaction<PicklensSchema, StoreNames<PicklensSchema>[], 'versionchange'>;

export const MIGRATIONS: ((db: IDBPDatabase<PicklensSchema>, tx: UpgradeTx) => void)[] = [
  // 0 → 1: the first schema.
  (db) => {
    db.createObjectStore('verdicts', { keyPath: 'key' });
    const files = db.createObjectStore('files', { keyPath: ['repoKey', 'rev', 'path'] });
    files.createIndex('byRepo', 'repoKey');
    files.createIndex('byContent', 'contentKey');
    db.createObjectStore('repos', { keyPath: 'repoKey' });
    const visits = db.createObjectStore('visits', { keyPath: 'id', autoIncrement: true });
    visits.createIndex('byRepo', 'repoKey');
    const prs = db.createObjectStore('pullRequests', { keyPath: ['repoKey', 'num'] });
    prs.createIndex('byRepo', 'repoKey');
    db.createObjectStore('settings');
  },
  // 1 → 2: per-commit format history, its compact study rows, and the batch collection's state. Existing
  // records are untouched.
  (db) => {
    const commits = db.createObjectStore('commits', { keyPath: ['repoKey', 'sha'] });
    commits.createIndex('byRepo', 'repoKey');
    db.createObjectStore('studyRows', { keyPath: 'repoKey' });
    db.createObjectStore('jobs');
    db.createObjectStore('untrusted');
  },
  // 2 → 3: every repo's study rows written again from its commits: the study's classes need the real format
  // of files R1–R5 call unknown (ONNX) and the conversion tool's flag, which version 2's rows left out.
  (_db, tx) => {
    void tx
      .objectStore('studyRows')
      .getAllKeys()
      .then((keys) => rebuildStudyRows(tx, keys));
  },
];

/** The stores that hold what was recorded (cleared, exported, imported); settings and jobs are not. */
export const RECORD_STORES = ['verdicts', 'files', 'repos', 'visits', 'pullRequests', 'commits'] as const;

type RowsTx = IDBPTransaction<
  PicklensSchema,
  ('commits' | 'studyRows' | StoreNames<PicklensSchema>)[],
  'readwrite' | 'versionchange'
>;

/**
 * Rewrites the study rows of these repos from their commits, inside the caller's transaction. `known` gives
 * a repo's complete list of commits when the caller holds it (an import into a database without them).
 */
export async function rebuildStudyRows(
  tx: RowsTx,
  repoKeys: Iterable<string>,
  known?: Map<string, CommitRecord[]>,
): Promise<void> {
  const commits = tx.objectStore('commits');
  const rows = tx.objectStore('studyRows');
  const pending: Promise<unknown>[] = [];
  for (const key of repoKeys) {
    const list = [...(known?.get(key) ?? (await commits.index('byRepo').getAll(key)))];
    list.sort(byDate);
    const study = list.map((c) => ({
      sha: c.sha,
      date: c.date,
      author: c.author,
      title: c.title,
      ...(c.tool ? { tool: true } : {}),
      // The real format only where R1–R5 say unknown: the study's ONNX class needs it.
      files: c.files.map((f) =>
        f.paper === 'unknown' && f.format
          ? { path: f.path, paper: f.paper, format: f.format }
          : f.paper
            ? { path: f.path, paper: f.paper }
            : { path: f.path },
      ),
    }));
    pending.push(rows.put({ repoKey: key, json: JSON.stringify(study) }));
  }
  await Promise.all(pending);
}

export function repoKey(type: RepoType, id: string): string {
  return `${type}:${id}`;
}

export function parseRepoKey(key: string): { type: RepoType; id: string } {
  const i = key.indexOf(':');
  return { type: key.slice(0, i) as RepoType, id: key.slice(i + 1) };
}

export function openPicklensDb(name = DB_NAME, version = DB_VERSION): Promise<PicklensDb> {
  return openDB<PicklensSchema>(name, version, {
    upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) MIGRATIONS[v]?.(db, tx);
    },
  });
}
