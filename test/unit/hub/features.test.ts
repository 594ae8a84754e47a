// Every content-script feature is listed, and runs on the replica pages it names and on no other: profiles,
// listings, buckets and collections get none.
import { describe, expect, it } from 'vitest';
import { FEATURES, RUNS_ON } from '../../../entrypoints/hub.content/features/all';
import { REPLICA_PAGES, type ReplicaPage } from '../../../lib/hub/selectors';
import { parseHubUrl } from '../../../lib/hub/url';

describe('content-script features', () => {
  it('each feature has the pages it runs on, and each listed one is a feature', () => {
    expect(FEATURES.map((f) => f.id).sort()).toEqual(Object.keys(RUNS_ON).sort());
  });

  for (const f of FEATURES) {
    it(`${f.id} runs on ${RUNS_ON[f.id]?.join(', ')} and nowhere else`, () => {
      for (const [page, path] of Object.entries(REPLICA_PAGES) as [ReplicaPage, string][]) {
        const info = parseHubUrl(`https://huggingface.co${path}`);
        expect(Boolean(info && f.include(info)), `${f.id} on ${page}`).toBe(RUNS_ON[f.id]?.includes(page));
      }
    });
  }

  it('pages that are not repos run no feature', () => {
    for (const page of ['orgProfile', 'userProfile', 'listing', 'bucket', 'collection'] as const)
      expect(parseHubUrl(`https://huggingface.co${REPLICA_PAGES[page]}`), page).toBeUndefined();
  });
});
