// `npm run snapshot`: writes the engine's verdicts over the fixtures and the peer corpora to
// test/snapshots/ (see test/support/snapshot.ts). Run it only when a verdict change is meant, and say why.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEERS_DIR } from '../test/support/corpus';
import { SNAPSHOT_DIR, corpusLines, fixtureLines } from '../test/support/snapshot';

writeFileSync(join(SNAPSHOT_DIR, 'fixtures.jsonl'), (await fixtureLines()).join('\n') + '\n');
console.log(`wrote ${join(SNAPSHOT_DIR, 'fixtures.jsonl')}`);
if (existsSync(PEERS_DIR)) {
  writeFileSync(join(SNAPSHOT_DIR, 'corpus.jsonl'), (await corpusLines()).join('\n') + '\n');
  console.log(`wrote ${join(SNAPSHOT_DIR, 'corpus.jsonl')}`);
} else console.log(`no corpus at ${PEERS_DIR}: corpus.jsonl left as it is`);
