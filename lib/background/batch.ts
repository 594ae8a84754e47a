// Batch collection (the stats page): a list of repos whose histories and conversion PRs are collected one
// after another, in the background. Its state lives in IndexedDB (jobs/'batch') and is written after each
// repo, so it survives the page's reload and the worker's restart: `kick()` at start-up goes on with the
// repos not yet done. Pause aborts the repo in progress; it is collected again on resume (its finished
// phases are kept by collectHistory, so little is fetched twice).
import { parseRepoKey, repoKey, type BatchRecord, type PicklensDb } from '../db/schema';
import { plainError } from '../hub/errors';
import { parseRepoId, repoPath, type RepoRef } from '../hub/url';
import type { HistoryProgress } from './history';

const BATCH_KEY = 'batch';
/** Repos in one batch at most (a pasted list is cut there, with a message). */
const MAX_BATCH = 10_000;

export interface BatchStatus {
  state: BatchRecord['state'];
  total: number;
  done: number;
  failed: number;
  /** Per repo that failed (or could not be parsed), why. */
  errors: { id: string; error: string }[];
  current?: { id: string; progress?: HistoryProgress };
  /** Every commit's tree is read (no bisection). */
  exhaustive: boolean;
  startedAt: number;
  updatedAt: number;
}

type CollectRepo = (
  repo: RepoRef,
  signal: AbortSignal,
  onProgress: (p: HistoryProgress) => void,
  exhaustive: boolean,
) => Promise<unknown>;

/**
 * Parses pasted ids: one per line, commas allowed between them; an entry is a repo id or URL as a whole (a
 * line "this is not a repo" is one bad entry, not five lookups). Duplicates are dropped; bad entries come
 * back with their line numbers.
 */
export function parseIdList(text: string): { keys: string[]; invalid: string[]; lines: number[] } {
  const keys = new Set<string>();
  const invalid: string[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const part of line.split(',')) {
      const raw = part.trim();
      if (!raw) continue;
      const r = parseRepoId(raw);
      if (r) keys.add(repoKey(r.type, r.id));
      else {
        invalid.push(raw);
        lines.push(i + 1);
      }
    }
  });
  return { keys: [...keys], invalid, lines };
}

function statusOf(rec: BatchRecord | undefined, current?: BatchStatus['current']): BatchStatus | null {
  if (!rec) return null;
  const results = Object.entries(rec.results);
  const errors = results.filter(([, r]) => !r.ok).map(([id, r]) => ({ id, error: r.error ?? 'failed' }));
  return {
    state: rec.state,
    total: rec.ids.length,
    done: results.length,
    failed: errors.length,
    errors,
    ...(current && rec.state === 'running' ? { current } : {}),
    exhaustive: rec.exhaustive ?? false,
    startedAt: rec.startedAt,
    updatedAt: rec.updatedAt,
  };
}

export class BatchRunner {
  private loop?: Promise<void>;
  private abort?: AbortController;
  private current?: BatchStatus['current'];

  constructor(
    private readonly db: PicklensDb,
    private readonly collect: CollectRepo,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Starts a new batch (replacing a finished or paused one) from pasted text or repo keys. */
  async start(text: string, exhaustive = false): Promise<BatchStatus | null> {
    const { keys, invalid, lines } = parseIdList(text);
    // Bad lines are refused before anything is fetched: the page shows them, the user fixes or drops them.
    if (invalid.length)
      throw new Error(
        `${invalid.length} ${invalid.length === 1 ? 'line is' : 'lines are'} not a repo id (line ${lines[0]}: "${invalid[0]?.slice(0, 80)}"${invalid.length > 1 ? ', …' : ''}); nothing was fetched.`,
      );
    if (!keys.length) throw new Error('No repo ids: paste one per line.');
    if (keys.length > MAX_BATCH)
      throw new Error(`${keys.length} repos: a batch takes at most ${MAX_BATCH.toLocaleString('en')}.`);
    await this.stopLoop();
    const t = this.now();
    const results: BatchRecord['results'] = {};
    const rec: BatchRecord = {
      ids: keys,
      state: 'running',
      results,
      startedAt: t,
      updatedAt: t,
      ...(exhaustive ? { exhaustive } : {}),
    };
    await this.db.put('jobs', rec, BATCH_KEY);
    this.kick();
    return this.status();
  }

  async pause(): Promise<BatchStatus | null> {
    await this.setState('paused');
    await this.stopLoop();
    return this.status();
  }

  async resume(): Promise<BatchStatus | null> {
    await this.setState('running');
    this.kick();
    return this.status();
  }

  /** Where the batch stands; a batch recorded as running that nothing runs (stopped by an error) is restarted. */
  async status(): Promise<BatchStatus | null> {
    const rec = await this.db.get('jobs', BATCH_KEY);
    if (rec?.state === 'running' && !this.loop) this.kick();
    return statusOf(rec, this.current);
  }

  /** Runs the batch if it is in the running state and nothing runs it yet (called at start-up too). */
  kick(): void {
    this.loop ??= this.run()
      // A database error stops the loop, not the worker; the batch's record says where it stood.
      .catch((e: unknown) => console.warn('picklens: batch stopped', e))
      .finally(() => {
        this.loop = undefined;
        this.current = undefined;
      });
  }

  /** Resolves when the loop in progress (if any) ends. */
  async idle(): Promise<void> {
    await this.loop;
  }

  private async stopLoop(): Promise<void> {
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
  }

  private async setState(state: BatchRecord['state']): Promise<void> {
    const tx = this.db.transaction('jobs', 'readwrite');
    const rec = await tx.store.get(BATCH_KEY);
    if (rec && rec.state !== 'done') await tx.store.put({ ...rec, state, updatedAt: this.now() }, BATCH_KEY);
    await tx.done;
  }

  private async run(): Promise<void> {
    for (;;) {
      const rec = await this.db.get('jobs', BATCH_KEY);
      if (!rec || rec.state !== 'running') return;
      const next = rec.ids.find((id) => !(id in rec.results));
      if (next === undefined) {
        await this.setState('done');
        return;
      }
      this.abort = new AbortController();
      const signal = this.abort.signal;
      this.current = { id: next };
      let result: { ok: boolean; error?: string };
      try {
        await this.collect(
          parseRepoKey(next),
          signal,
          (progress) => {
            this.current = { id: next, progress };
          },
          rec.exhaustive ?? false,
        );
        result = { ok: true };
      } catch (e) {
        if (signal.aborted) return; // paused or replaced: this repo is done again later
        // Said in words that name the repo (HUB_ERROR_WORDS), not the API path that failed.
        result = { ok: false, error: plainError(e, repoPath(parseRepoKey(next))) };
      }
      // The result is written only if the batch is still the same and still running.
      const tx = this.db.transaction('jobs', 'readwrite');
      const now = await tx.store.get(BATCH_KEY);
      if (now && now.startedAt === rec.startedAt)
        await tx.store.put(
          {
            ...now,
            results: { ...now.results, [next]: { ...result, at: this.now() } },
            updatedAt: this.now(),
          },
          BATCH_KEY,
        );
      await tx.done;
    }
  }
}
