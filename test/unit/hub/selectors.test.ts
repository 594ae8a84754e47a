// Every DOM hook of lib/hub/selectors.ts matches exactly as often as it says on each page of the replica
// (Refined GitHub's selectors test is the model): the replica's HTML, rendered by happy-dom, counted. A Hub
// markup change that the replica copies fails here, in one place.
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_MATCHES, REPLICA_PAGES, SELECTORS, type ReplicaPage } from '../../../lib/hub/selectors';
import { replicaFetch } from '../../support/replica-client';
import { sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
const docs = new Map<ReplicaPage, Document>();

beforeAll(async () => {
  hub = await startReplica({ repos: sampleRepos() });
  const get = replicaFetch(hub.cert);
  for (const [name, path] of Object.entries(REPLICA_PAGES) as [ReplicaPage, string][]) {
    const res = await get(`${hub.url}${path}`);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    const window = new Window({ url: `https://huggingface.co${path}` });
    // Scripts are not run: what is counted is what the server rendered, before any hydration.
    window.document.write((await res.text()).replace(/<script[\s\S]*?<\/script>/g, ''));
    docs.set(name, window.document as unknown as Document);
  }
});
afterAll(async () => {
  await hub?.close();
});

describe('selectors on every replica page', () => {
  for (const [name, selector] of Object.entries(SELECTORS) as [keyof typeof SELECTORS, string][]) {
    it(`${name} (${selector})`, () => {
      for (const page of Object.keys(REPLICA_PAGES) as ReplicaPage[]) {
        const want = EXPECTED_MATCHES[name][page] ?? 0;
        expect(docs.get(page)?.querySelectorAll(selector).length, `${name} on ${page}`).toBe(want);
      }
    });
  }

  it('every hook has expectations, and every hook matches somewhere', () => {
    expect(Object.keys(EXPECTED_MATCHES).sort()).toEqual(Object.keys(SELECTORS).sort());
    for (const counts of Object.values(EXPECTED_MATCHES))
      expect(Object.values(counts).some((n) => n > 0)).toBe(true);
  });
});
