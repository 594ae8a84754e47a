// `npm run eval:corpus`: Picklens, picklescan, modelscan and fickling side by side on ../shared/corpus/peers,
// then Picklens and the peers this machine can run (test/support/peers.ts) on the project's own wave 2
// corpus (test/fixtures/wave2: the bypasses of 2024–2026 and their benign look-alikes).
import { join } from 'node:path';
import { corpusAvailable, PEERS_DIR } from '../test/support/corpus';
import { evaluateCorpus, formatTable, isMetadataExemption } from '../test/support/corpus-eval';
import { classifyFile, readWave2Manifest, WAVE2_DIR } from '../test/support/fixtures';
import { availablePeers, PEERS, peerSays } from '../test/support/peers';

if (corpusAvailable()) {
  const all = await evaluateCorpus();
  console.log(
    `${all.length} files. "caught" = called dangerous among the files expected dangerous; picklescan, modelscan`,
  );
  console.log('and fickling as recorded in the manifest, Picklens as it runs now.\n');
  console.log(formatTable(all));
  const exempt = all.filter(isMetadataExemption);
  if (exempt.length) {
    console.log(
      'Counted as caught: safe-by-format files that stay safe with a metadata finding (see test/corpus-notes.md):',
    );
    for (const e of exempt) console.log(`  ${e.row.path}`);
  }
} else console.error(`no peer corpus at ${PEERS_DIR}: it sits in ../shared/ beside the project's checkout`);

const rows = readWave2Manifest();
const peers = availablePeers();
const tally = new Map<string, { caught: number; alarms: number; errors: number }>(
  ['picklens', ...peers].map((t) => [t, { caught: 0, alarms: 0, errors: 0 }]),
);
for (const row of rows) {
  const path = join(WAVE2_DIR, 'files', row.file);
  const key = row.kind === 'malicious' ? 'caught' : 'alarms';
  const count = (tool: string, dangerous: boolean) => {
    const t = tally.get(tool);
    if (t && dangerous) t[key]++;
  };
  count('picklens', (await classifyFile(path, row.file)).risk === 'dangerous');
  for (const peer of peers) {
    const says = peerSays(peer, path);
    if (!says) continue;
    if ('error' in says) {
      const t = tally.get(peer);
      if (t) t.errors++;
    } else count(peer, says.dangerous);
  }
}
const bad = rows.filter((r) => r.kind === 'malicious').length;
const good = rows.length - bad;
console.log(
  `\nWave 2 corpus (test/fixtures/wave2): ${bad} malicious, ${good} benign; "false alarms" = benign called dangerous`,
);
for (const [tool, t] of tally) {
  console.log(
    `  ${tool.padEnd(11)} caught ${`${t.caught}/${bad}`.padEnd(6)} false alarms ${`${t.alarms}/${good}`.padEnd(6)}${t.errors ? ` could not scan ${t.errors}` : ''}`,
  );
  if (tool === 'picklens')
    for (const r of rows.filter((r) => r.miss)) console.log(`    missed: ${r.file} (${r.miss})`);
}
const absent = PEERS.filter((p) => !peers.includes(p));
if (absent.length)
  console.log(
    `  not run: ${absent.join(', ')} (set ${absent.map((p) => `${p.toUpperCase()}_SRC`).join(', ')}; see test/support/peers.ts)`,
  );
