// One typed protocol between the content script, the pages and the background worker (the background owns
// IndexedDB and the Hub API). Each message names its reply; listeners stay thin and call plain handlers.
import type { RepoCode } from './formats/repo-code';
import type { Verdict } from './formats/types';
import type { Settings } from './settings';
import type { RepoRef } from './hub/url';
import type { CommitRecord, HistoryState, PullRequestRecord, RepoRecord } from './db/schema';
import type { HistoryProgress } from './background/history';
import type { RepoFiles } from './background/handlers';
import type { EntryFacts } from './background/tree-entries';
import type { BatchStatus } from './background/batch';
import type { ConversionPrState } from './background/handlers';
import type { VerifyProgress } from './background/verify';
import type { HubErrorCode } from './hub/errors';
import type { PrVerification } from './hub/verify-pr';

export interface ProtocolMap {
  /** A verdict already known for this content (by LFS sha256 or git blob id) and this engine. */
  getVerdict: { request: { contentKey: string }; reply: Verdict | null };
  /** Remember a verdict for this content; record where it was seen. */
  putVerdict: {
    request: { contentKey: string; verdict: Verdict; repo: RepoRef; rev: string; path: string };
    reply: true;
  };
  /** The user opened a repo page. */
  logVisit: { request: { repo: RepoRef; url: string; page: string }; reply: true };
  /** The repo's model files at a revision, with their content keys: at most CHIP_MAX_TREE_PAGES API calls. */
  repoFiles: { request: { repo: RepoRef; rev: string }; reply: RepoFiles };
  /** Size and content key of files a tree page shows without them (rows appended as it is scrolled). */
  treeEntries: {
    request: { repo: RepoRef; rev: string; paths: string[] };
    reply: Record<string, EntryFacts>;
  };
  /** How long file reads must wait (ms) because a 429 asked it, in any tab; 0 when they may go. */
  resolverWait: { request: Record<string, never>; reply: number };
  /** A page's file read got a 429 asking for this wait: every tab's reads (and the background's) hold. */
  noteRateLimit: { request: { waitMs: number }; reply: true };
  /** A Range read of a repo file that failed in the page (CORS), made by the background; base64 bytes. */
  readRange: {
    request: { repo: RepoRef; rev: string; path: string; start: number; end: number };
    reply: string;
  };
  getSettings: { request: Record<string, never>; reply: Settings };
  setSettings: { request: Partial<Settings>; reply: Settings };
  /** Deletes everything recorded (verdicts, files, repos, visits, pull requests); settings stay. */
  clearData: { request: Record<string, never>; reply: { cleared: number } };
  /** Fetch (within the rate-limit budget) and record the repo's SFconvertbot PRs. */
  refreshConversionPrs: { request: { repo: RepoRef }; reply: ConversionPrState[] };
  /**
   * Is PR `num`'s safetensors the same model as the pickle it came from? Headers and sampled bytes, read by
   * the background (lib/hub/verify-pr.ts); `again` checks anew instead of answering from this worker's life.
   */
  verifyPr: { request: { repo: RepoRef; num: number; again?: boolean }; reply: PrVerification };
  /** Where a running check stands (null when none runs). */
  verifyProgress: { request: { repo: RepoRef; num: number }; reply: VerifyProgress | null };
  /**
   * The code the repo's loaders can run (auto_map, .py files), read from the Hub now (not recorded): the root
   * configs are read by the background, so a page never loads the engine for them; `code` is what a listing
   * already found (the chip's), else the background lists the repo itself (the popup).
   */
  repoCode: {
    request: { repo: RepoRef; rev: string; code?: RepoFiles['code'] };
    reply: RepoCode;
  };
  /** What is recorded of one repo (offline: IndexedDB only). */
  repoView: {
    request: { repo: RepoRef };
    reply: {
      repo: RepoRecord | null;
      commits: CommitRecord[];
      prs: PullRequestRecord[];
      /** This browser's own verdicts for the newest commit's files, by content key. */
      verdicts: Record<string, Verdict>;
    };
  };
  /** Collect (or bring up to date) the repo's format history and conversion PRs; resolves when done. */
  collectRepo: { request: { repo: RepoRef }; reply: HistoryState };
  /** Where a collection of this repo stands (null when none runs). */
  collectProgress: { request: { repo: RepoRef }; reply: HistoryProgress | null };
  /** A new batch from pasted ids (one per line, URLs too); replaces a finished or paused batch. */
  batchStart: { request: { text: string; exhaustive?: boolean }; reply: BatchStatus | null };
  batchPause: { request: Record<string, never>; reply: BatchStatus | null };
  batchResume: { request: Record<string, never>; reply: BatchStatus | null };
  batchStatus: { request: Record<string, never>; reply: BatchStatus | null };
  /** Opens the extension's help page (every risk and finding in plain words) at an anchor, in a new tab. */
  openHelp: { request: { anchor: string }; reply: true };
  /** The sending tab's page shows this many dangerous files: the toolbar icon's badge says it. */
  tabRisks: { request: { dangerous: number }; reply: true };
}

export type MessageType = keyof ProtocolMap;
export type Message = { [K in MessageType]: { type: K; data: ProtocolMap[K]['request'] } }[MessageType];
export type Reply<K extends MessageType> = ProtocolMap[K]['reply'];

/** Every reply travels wrapped, so an error in the background reaches the caller as an error. */
/** A reply: the value, or the error's message and, for a Hub failure, its HubErrorCode (kept across the message). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: string; code?: HubErrorCode };
