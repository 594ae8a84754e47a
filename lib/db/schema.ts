// Picklens's local record, in IndexedDB through idb. Versioned: MIGRATIONS[v] takes a database at version v
// to v+1, applied in order inside the upgrade transaction, so any older database opens at the newest shape.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Verdict } from '../formats/types';
import type { RepoType } from '../hub/url';

export const DB_NAME = 'picklens';
export const DB_VERSION = 1;

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
  firstVisit: number;
  lastVisit: number;
  visits: number;
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
}

export interface PicklensSchema extends DBSchema {
  verdicts: { key: string; value: VerdictRecord };
  files: { key: [string, string, string]; value: FileRecord; indexes: { byRepo: string; byContent: string } };
  repos: { key: string; value: RepoRecord };
  visits: { key: number; value: VisitRecord; indexes: { byRepo: string } };
  pullRequests: { key: [string, number]; value: PullRequestRecord; indexes: { byRepo: string } };
  settings: { key: string; value: unknown };
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
];

export function repoKey(type: RepoType, id: string): string {
  return `${type}:${id}`;
}

export function openPicklensDb(name = DB_NAME, version = DB_VERSION): Promise<PicklensDb> {
  return openDB<PicklensSchema>(name, version, {
    upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) MIGRATIONS[v]?.(db, tx);
    },
  });
}
