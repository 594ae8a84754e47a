// The background's conversion checks: one run per PR however many pages ask, its progress readable while it
// runs, the result kept for the worker's life, `again` checking anew, the summary on the PR's record.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleRefreshConversionPrs } from '../../../lib/background/handlers';
import { Verifier } from '../../../lib/background/verify';
import { openPicklensDb } from '../../../lib/db/schema';
import { HubApi, RateGovernor } from '../../../lib/hub/api';
import { conversionRepos } from '../../hub/conversion-repos';
import { startReplica, type Replica } from '../../hub/server';
import { replicaFetch } from '../../support/replica-client';

let hub: Replica;
beforeAll(async () => {
  hub = await startReplica({ repos: conversionRepos() });
});
afterAll(async () => hub?.close());

describe('Verifier', () => {
  it('runs once for concurrent asks, reports progress, keeps the result, records the summary', async () => {
    const db = await openPicklensDb('verifier-1');
    const fetch = replicaFetch(hub.cert);
    const api = new HubApi({ endpoint: hub.url, fetch });
    const repo = { type: 'model' as const, id: 'conversion/value-changed' };
    await handleRefreshConversionPrs(db, api, repo, 1000);
    const v = new Verifier(db, api, new RateGovernor(), fetch);
    expect(v.progress(repo, 1)).toBeNull();
    const a = v.verify(repo, 1);
    const b = v.verify(repo, 1);
    expect(v.progress(repo, 1)).toMatchObject({ phase: 'listing' });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toBe(rb);
    expect(ra.verdict).toBe('differs');
    expect(v.progress(repo, 1)).toBeNull();
    // Kept: no request for the same answer.
    hub.log.length = 0;
    expect(await v.verify(repo, 1)).toBe(ra);
    expect(hub.log).toHaveLength(0);
    // Again: read anew.
    const again = await v.verify(repo, 1, true);
    expect(again).not.toBe(ra);
    expect(hub.log.length).toBeGreaterThan(0);
    const rec = await db.get('pullRequests', ['model:conversion/value-changed', 1]);
    expect(rec?.verification).toMatchObject({
      verdict: 'differs',
      differenceCount: 1,
      tensors: 20,
      differences: [expect.stringMatching(/^layers\.1\.attn\.q_proj\.weight\[0, 0\] is /)],
    });
    // A refresh of the PRs keeps the check, and hands it to the pages.
    const states = await handleRefreshConversionPrs(db, api, repo, 5000);
    expect(states[0]?.verification?.verdict).toBe('differs');
  });
});
