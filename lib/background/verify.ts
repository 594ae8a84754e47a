// Conversion checks run by the background (lib/hub/verify-pr.ts): one at a time per PR, its progress readable
// while it runs, its result remembered for the worker's life and, in brief, on the PR's record (the popup,
// the chip and the export show it).
import { repoKey, type PicklensDb, type VerificationSummary } from '../db/schema';
import type { HubApi, RateGovernor } from '../hub/api';
import type { FetchLike } from '../hub/http-source';
import { verifyPr, type PrVerification } from '../hub/verify-pr';
import { summarize } from '../hub/verify-summary';
import type { RepoRef } from '../hub/url';

/** Results kept in memory (the newest). */
const KEEP = 64;

export interface VerifyProgress {
  phase: 'headers' | 'samples' | 'listing';
  done: number;
  total: number;
}

export class Verifier {
  private running = new Map<string, { promise: Promise<PrVerification>; progress: VerifyProgress }>();
  private results = new Map<string, PrVerification>();

  constructor(
    private readonly db: PicklensDb,
    private readonly api: HubApi,
    private readonly resolvers: RateGovernor,
    /** Tests pass the replica's; the worker uses the global fetch. */
    private readonly fetch?: FetchLike,
  ) {}

  /** The check of PR `num`: the one running, the one done in this worker's life, or a new one. */
  verify(repo: RepoRef, num: number, again = false): Promise<PrVerification> {
    const key = `${repoKey(repo.type, repo.id)}#${num}`;
    const running = this.running.get(key);
    if (running) return running.promise;
    const done = this.results.get(key);
    if (done && !again) return Promise.resolve(done);
    const progress: VerifyProgress = { phase: 'listing', done: 0, total: 0 };
    const promise = verifyPr(repo, num, {
      endpoint: this.api.endpoint,
      fetch: this.fetch,
      credentials: 'include',
      governor: this.api.governor,
      readGate: this.resolvers,
      onProgress: (d, t, phase) => Object.assign(progress, { done: d, total: t, phase }),
    })
      .then(async (r) => {
        this.results.delete(key);
        this.results.set(key, r);
        if (this.results.size > KEEP) this.results.delete(this.results.keys().next().value as string);
        await this.record(repo, num, summarize(r, Date.now()));
        return r;
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, { promise, progress });
    return promise;
  }

  progress(repo: RepoRef, num: number): VerifyProgress | null {
    return this.running.get(`${repoKey(repo.type, repo.id)}#${num}`)?.progress ?? null;
  }

  /** On the PR's record, when Picklens has one (SFconvertbot's PRs are recorded on every visit). */
  private async record(repo: RepoRef, num: number, summary: VerificationSummary): Promise<void> {
    const tx = this.db.transaction('pullRequests', 'readwrite');
    const pr = await tx.store.get([repoKey(repo.type, repo.id), num]);
    if (pr) await tx.store.put({ ...pr, verification: summary });
    await tx.done;
  }
}
