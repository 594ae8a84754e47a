// Every verdict the engine gives over the fixtures and the peer corpora is the one snapshotted in
// test/snapshots (the CLI's --json lines): a refactor changes none, or the change is meant, explained in the
// commit, and the snapshot written again with `npm run snapshot`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PEERS_DIR } from '../../support/corpus';
import { SNAPSHOT_DIR, corpusLines, fixtureLines } from '../../support/snapshot';

const read = (name: string) => readFileSync(join(SNAPSHOT_DIR, name), 'utf8').trimEnd().split('\n');

describe('verdict snapshots', () => {
  it('fixtures: every verdict as snapshotted', async () => {
    const want = read('fixtures.jsonl');
    const got = await fixtureLines();
    expect(got).toHaveLength(want.length);
    for (let i = 0; i < want.length; i++)
      expect(JSON.parse(got[i] ?? ''), want[i]?.slice(0, 60)).toEqual(JSON.parse(want[i] ?? ''));
  });

  it.skipIf(!existsSync(PEERS_DIR))(
    'peer corpora: every verdict as snapshotted (skipped without ../shared)',
    async () => {
      const want = read('corpus.jsonl');
      const got = await corpusLines();
      expect(got).toHaveLength(want.length);
      for (let i = 0; i < want.length; i++)
        expect(JSON.parse(got[i] ?? ''), want[i]?.slice(0, 80)).toEqual(JSON.parse(want[i] ?? ''));
    },
    60_000,
  );
});
