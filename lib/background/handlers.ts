// What the background worker does for each message: plain functions over the database and the API client,
// unit-tested directly (STYLE.md: keep listeners thin). Writes that belong together share a transaction.
import { CODE_CONFIGS, type RepoCode } from '../formats/repo-code';
import { readRepoCode } from '../hub/repo-code';
import { byDate } from '../dates';
import { ENGINE_VERSION, type Verdict } from '../formats/types';
import type { HubApi, RateGovernor } from '../hub/api';
import { bytesToBase64 } from '../base64';
import { contentKeyOf } from '../hub/content-key';
import { CONVERT_BOT, isConversionPr } from '../hub/convert-bot';
import { HubFileSource, type FetchLike } from '../hub/http-source';
import { isModelFile } from '../hub/model-files';
import { sanitizeSettings, type Settings } from '../settings';
import type { RepoRef } from '../hub/url';
import {
  RECORD_STORES,
  repoKey,
  type CommitRecord,
  type PicklensDb,
  type PullRequestRecord,
  type RepoRecord,
  type VerificationSummary,
} from '../db/schema';

export function verdictKey(contentKey: string): string {
  return `${contentKey}@${ENGINE_VERSION}`;
}

/**
 * The verdict this browser made for this content, if any. A verdict imported from someone's export is not
 * used: a forged "safe" for a malicious pickle would otherwise paint its badge green. Such files are read
 * again, and the local verdict replaces the imported one.
 */
export async function handleGetVerdict(db: PicklensDb, contentKey: string): Promise<Verdict | null> {
  const key = verdictKey(contentKey);
  const tx = db.transaction(['verdicts', 'untrusted'], 'readonly');
  const [record, imported] = await Promise.all([
    tx.objectStore('verdicts').get(key),
    tx.objectStore('untrusted').get(key),
    tx.done,
  ]);
  return record && imported === undefined ? record.verdict : null;
}

export async function handlePutVerdict(
  db: PicklensDb,
  m: { contentKey: string; verdict: Verdict; repo: RepoRef; rev: string; path: string },
  now = Date.now(),
): Promise<true> {
  const tx = db.transaction(['verdicts', 'files', 'untrusted'], 'readwrite');
  await Promise.all([
    tx.objectStore('untrusted').delete(verdictKey(m.contentKey)),
    tx.objectStore('verdicts').put({
      key: verdictKey(m.contentKey),
      contentKey: m.contentKey,
      engine: ENGINE_VERSION,
      verdict: m.verdict,
      at: now,
    }),
    tx.objectStore('files').put({
      repoKey: repoKey(m.repo.type, m.repo.id),
      rev: m.rev,
      path: m.path,
      contentKey: m.contentKey,
      at: now,
    }),
    tx.done,
  ]);
  return true;
}

export async function handleLogVisit(
  db: PicklensDb,
  m: { repo: RepoRef; url: string; page: string },
  now = Date.now(),
): Promise<true> {
  const key = repoKey(m.repo.type, m.repo.id);
  const tx = db.transaction(['visits', 'repos'], 'readwrite');
  const repos = tx.objectStore('repos');
  const existing = await repos.get(key);
  await Promise.all([
    tx.objectStore('visits').add({ repoKey: key, url: m.url, page: m.page, at: now }),
    repos.put(
      existing
        ? { ...existing, lastVisit: now, visits: existing.visits + 1 }
        : { repoKey: key, type: m.repo.type, id: m.repo.id, firstVisit: now, lastVisit: now, visits: 1 },
    ),
    tx.done,
  ]);
  return true;
}

/** The longest read the background makes for a page (a safetensors header is capped at 25 MB: HUB.md). */
const MAX_FALLBACK_READ = 32 * 1024 * 1024;

/**
 * A page's Range read made again by the background, which CORS does not bind (a CDN error without CORS
 * headers reaches a page as a bare network failure). Only a repo file's `resolve` URL on the Hub, never an
 * address the page names; the bytes come back as base64 (messages carry JSON).
 */
export async function handleReadRange(
  m: { repo: RepoRef; rev: string; path: string; start: number; end: number },
  opts: { endpoint: string; credentials?: RequestCredentials; fetch?: FetchLike },
): Promise<string> {
  const { start, end } = m;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start)
    throw new Error(`readRange: bad range ${String(start)}-${String(end)}`);
  if (end - start > MAX_FALLBACK_READ) throw new Error(`readRange: over ${MAX_FALLBACK_READ} bytes`);
  const src = new HubFileSource({
    endpoint: opts.endpoint,
    repo: m.repo,
    rev: m.rev,
    path: m.path,
    credentials: opts.credentials,
    fetch: opts.fetch,
  });
  return bytesToBase64(await src.read(start, end));
}

/** One refresh of a repo's conversion PRs at a time: a visit and a feature asking at once share it. */
const refreshing = new Map<string, Promise<ConversionPrState[]>>();

/** A conversion PR as pages show it: its state and, once checked, the check. */
export interface ConversionPrState {
  num: number;
  status: string;
  verification?: VerificationSummary;
}

export function refreshConversionPrsOnce(
  db: PicklensDb,
  api: HubApi,
  repo: RepoRef,
): Promise<ConversionPrState[]> {
  const key = repoKey(repo.type, repo.id);
  let p = refreshing.get(key);
  if (!p) {
    p = handleRefreshConversionPrs(db, api, repo).finally(() => refreshing.delete(key));
    refreshing.set(key, p);
  }
  return p;
}

/** Fetches the repo's SFconvertbot PRs and records each; a status that changed gets a new history entry. */
export async function handleRefreshConversionPrs(
  db: PicklensDb,
  api: HubApi,
  repo: RepoRef,
  now = Date.now(),
): Promise<ConversionPrState[]> {
  const found: PullRequestRecord[] = [];
  const key = repoKey(repo.type, repo.id);
  for await (const d of api.discussions(repo, { type: 'pull_request', author: CONVERT_BOT, status: 'all' })) {
    if (isConversionPr(d))
      found.push({
        repoKey: key,
        num: d.num,
        title: d.title,
        author: d.author.name,
        createdAt: d.createdAt,
        status: d.status,
        history: [],
      });
  }
  // When and by whom a PR was merged or closed is in its events (HUB.md "Discussion detail"): fetched once
  // per status change of a PR no longer open (an open PR has no status change to tell).
  const before = new Map(
    (await db.getAllFromIndex('pullRequests', 'byRepo', key)).map((p) => [p.num, p] as const),
  );
  const events = new Map<number, PullRequestRecord['events']>();
  for (const pr of found) {
    const old = before.get(pr.num);
    if (pr.status === 'open' || (old?.status === pr.status && old.events)) continue;
    const detail = await api.discussion(repo, pr.num);
    events.set(
      pr.num,
      detail.events
        .filter((e) => e.type === 'status-change' && e.data?.status)
        .map((e) => ({
          status: e.data?.status ?? '',
          at: e.createdAt,
          by: e.author?.name ?? '',
          ...(typeof e.author?.isHf === 'boolean' ? { staff: e.author.isHf } : {}),
        })),
    );
  }
  const tx = db.transaction('pullRequests', 'readwrite');
  /** The checks kept on the records written, handed to the pages with the states. */
  const checks = new Map<number, VerificationSummary>();
  for (const pr of found) {
    const old = await tx.store.get([key, pr.num]);
    const history = old?.history ?? [];
    if (history[history.length - 1]?.status !== pr.status) history.push({ status: pr.status, at: now });
    const ev = events.get(pr.num) ?? (old?.status === pr.status ? old.events : undefined);
    const verification = old?.verification;
    if (verification) checks.set(pr.num, verification);
    await tx.store.put({
      ...pr,
      history,
      ...(ev ? { events: ev } : {}),
      ...(verification ? { verification } : {}),
    });
  }
  await tx.done;
  return found.map((p) => {
    const verification = checks.get(p.num);
    return { num: p.num, status: p.status, ...(verification ? { verification } : {}) };
  });
}

/**
 * What the repo chip may spend on one page view: tree pages listed (the real Hub: 1,000 entries a page, so
 * 3,000 files) and model files handed back to be read. A 50,000-file dataset costs 3 calls, not 50.
 */
export const CHIP_MAX_TREE_PAGES = 3;
export const CHIP_MAX_FILES = 200;

export interface RepoFiles {
  files: { path: string; size: number; contentKey?: string }[];
  /** The listing stopped at the budget: there may be more model files than these. */
  truncated: boolean;
  /** Entries (files and folders) listed. */
  listed: number;
  /** What the listing says of the repo's code: its .py files, and the root configs an auto_map can be in. */
  code: { pythonFiles: string[]; configs: { path: string; size: number; contentKey?: string }[] };
}

/** .py files named to the page at most (the chip counts them; a loader imports what auto_map names). */
const MAX_PYTHON_FILES = 200;

export async function handleRepoFiles(
  api: HubApi,
  repo: RepoRef,
  rev: string,
  limits = { pages: CHIP_MAX_TREE_PAGES, files: CHIP_MAX_FILES },
): Promise<RepoFiles> {
  const files: RepoFiles['files'] = [];
  const code: RepoFiles['code'] = { pythonFiles: [], configs: [] };
  let listed = 0;
  let pages = 0;
  for await (const page of api.treePages(repo, rev)) {
    pages++;
    for (const e of page) {
      listed++;
      const size = e.lfs?.size ?? e.size;
      if (e.type !== 'file') continue;
      if (e.path.endsWith('.py') && code.pythonFiles.length < MAX_PYTHON_FILES) code.pythonFiles.push(e.path);
      if (CODE_CONFIGS.has(e.path)) code.configs.push({ path: e.path, size, contentKey: contentKeyOf(e) });
      if (!isModelFile(e.path, size)) continue;
      if (files.length >= limits.files) return { files, truncated: true, listed, code };
      files.push({ path: e.path, size, contentKey: contentKeyOf(e) });
    }
    // The next page would be one call too many: stop, and say the list may go on.
    if (pages >= limits.pages) return { files, truncated: true, listed, code };
  }
  return { files, truncated: false, listed, code };
}

/**
 * The repo's code risk: the listing the chip already made, or one within the chip's budget (the popup), then
 * the root configs read through /resolve/ with the user's session (the resolver budget, as history reads).
 */
export async function handleRepoCode(
  api: HubApi,
  repo: RepoRef,
  rev: string,
  read: { endpoint: string; credentials?: RequestCredentials; fetch?: FetchLike; governor?: RateGovernor },
  listed?: RepoFiles['code'],
): Promise<RepoCode> {
  const code = listed ?? (await handleRepoFiles(api, repo, rev)).code;
  // The same configs (by content) and files judge the same: a repo visited again reads nothing.
  const key = JSON.stringify([code.configs.map((c) => [c.path, c.contentKey ?? '']), code.pythonFiles]);
  const known = code.configs.every((c) => c.contentKey) ? judgedCode.get(key) : undefined;
  if (known) return known;
  const entries = [...code.configs, ...code.pythonFiles.map((path) => ({ path, size: 0 }))];
  const judged = await readRepoCode(
    entries,
    (path, size) => new HubFileSource({ ...read, repo, rev, path, size }),
  );
  if (judged.findings.every((f) => f.code !== 'repo-config-unread')) {
    if (judgedCode.size >= MAX_JUDGED_CODE) judgedCode.clear();
    judgedCode.set(key, judged);
  }
  return judged;
}

/** Repo code judged in this worker's life, by its configs' content and its .py files (bounded). */
const judgedCode = new Map<string, RepoCode>();
const MAX_JUDGED_CODE = 1000;

export async function handleGetSettings(db: PicklensDb): Promise<Settings> {
  return sanitizeSettings(await db.get('settings', 'settings'));
}

export async function handleSetSettings(db: PicklensDb, patch: Partial<Settings>): Promise<Settings> {
  const tx = db.transaction('settings', 'readwrite');
  const next = sanitizeSettings({ ...sanitizeSettings(await tx.store.get('settings')), ...patch });
  await tx.store.put(next, 'settings');
  await tx.done;
  return next;
}

/** Everything recorded goes, in one transaction (all or nothing), with the batch job; settings stay. */
export async function handleClearData(db: PicklensDb): Promise<{ cleared: number }> {
  const tx = db.transaction([...RECORD_STORES, 'studyRows', 'jobs', 'untrusted'], 'readwrite');
  let cleared = 0;
  for (const s of RECORD_STORES) {
    cleared += await tx.objectStore(s).count();
    await tx.objectStore(s).clear();
  }
  await tx.objectStore('studyRows').clear();
  await tx.objectStore('jobs').clear();
  await tx.objectStore('untrusted').clear();
  await tx.done;
  return { cleared };
}

/**
 * What is recorded of one repo: its record, its commits (oldest first), its conversion PRs, and the
 * verdicts this browser made for the files of its newest commit (an imported history's risks are not
 * shown as if read here: see handleGetVerdict).
 */
export async function handleRepoView(
  db: PicklensDb,
  repo: RepoRef,
): Promise<{
  repo: RepoRecord | null;
  commits: CommitRecord[];
  prs: PullRequestRecord[];
  verdicts: Record<string, Verdict>;
}> {
  const key = repoKey(repo.type, repo.id);
  const tx = db.transaction(['repos', 'commits', 'pullRequests'], 'readonly');
  const [record, commits, prs] = await Promise.all([
    tx.objectStore('repos').get(key),
    tx.objectStore('commits').index('byRepo').getAll(key),
    tx.objectStore('pullRequests').index('byRepo').getAll(key),
    tx.done,
  ]);
  commits.sort(byDate);
  const verdicts: Record<string, Verdict> = {};
  for (const f of commits[commits.length - 1]?.files ?? []) {
    const v = f.contentKey ? await handleGetVerdict(db, f.contentKey) : null;
    if (v && f.contentKey) verdicts[f.contentKey] = v;
  }
  return { repo: record ?? null, commits, prs: prs.sort((a, b) => a.num - b.num), verdicts };
}
