// One repo's collection (popup, batch): its conversion PRs, then its format history. A second request for a
// repo already being collected joins the first; its progress is readable while it runs (the popup polls
// it). A wait for the rate-limit window shows as a note in the progress of every collection in flight.
import type { HistoryState, PicklensDb } from '../db/schema';
import { repoKey } from '../db/schema';
import type { HubApi } from '../hub/api';
import { HubError } from '../hub/errors';
import type { RepoRef } from '../hub/url';
import { handleRefreshConversionPrs } from './handlers';
import { collectHistory, type HistoryProgress, type ReadVerdict } from './history';

/** Errors that say the repo itself cannot be read: nothing more is tried (a 403 may be discussions disabled). */
const FATAL = new Set(['repo-not-found', 'gated']);

/** A collection in flight: its last progress and who listens (`done` is set once it has started). */
interface Entry {
  done?: Promise<HistoryState>;
  progress: HistoryProgress | null;
  listeners: ((p: HistoryProgress) => void)[];
}

export class Collector {
  private readonly running = new Map<string, Entry>();

  constructor(
    private readonly db: PicklensDb,
    private readonly api: HubApi,
    private readonly readVerdict: ReadVerdict,
    /** Called when a collection starts (the background notes the PR refresh time). */
    private readonly onStart: (key: string) => void = () => undefined,
  ) {}

  /** Where the repo's collection stands; null when none runs. */
  progress(repo: RepoRef): HistoryProgress | null {
    return this.running.get(repoKey(repo.type, repo.id))?.progress ?? null;
  }

  /**
   * A note (a rate-limit wait of `ms`) added to every collection in flight — one that has not reported a step
   * yet too, so that a wait before its first call is shown, with its end.
   */
  note(why: string, ms = 0): void {
    const waitUntil = ms > 0 ? Date.now() + ms : undefined;
    for (const e of this.running.values())
      this.set(e, {
        ...(e.progress ?? { phase: 'commits', done: 0, total: 0 }),
        note: why,
        ...(waitUntil ? { waitUntil } : {}),
      });
  }

  /**
   * Collects the repo's PRs and history. A repo whose PRs cannot be listed (discussions disabled) still gets
   * its history, and the PR error is reported once the history is recorded.
   */
  collect(
    repo: RepoRef,
    signal?: AbortSignal,
    onProgress?: (p: HistoryProgress) => void,
    /** Fetch every commit's tree (no bisection: see lib/background/history). */
    exhaustive = false,
  ): Promise<HistoryState> {
    const key = repoKey(repo.type, repo.id);
    const joined = this.running.get(key);
    if (joined?.done) {
      if (onProgress) joined.listeners.push(onProgress);
      return joined.done;
    }
    const entry: Entry = { progress: null, listeners: [] };
    if (onProgress) entry.listeners.push(onProgress);
    this.onStart(key);
    const done = (async () => {
      const prError = await handleRefreshConversionPrs(this.db, this.api, repo).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e : new Error(JSON.stringify(e))),
      );
      if (prError instanceof HubError && FATAL.has(prError.code)) throw prError;
      const state = await collectHistory(this.db, this.api, repo, {
        readVerdict: this.readVerdict,
        signal,
        exhaustive,
        onProgress: (p) => this.set(entry, p),
      });
      if (prError)
        throw new Error(`history recorded, but the pull requests could not be listed: ${prError.message}`);
      return state;
    })().finally(() => this.running.delete(key));
    entry.done = done;
    this.running.set(key, entry);
    return done;
  }

  private set(entry: Entry, p: HistoryProgress): void {
    entry.progress = p;
    for (const l of entry.listeners) l(p);
  }
}
