// `npm run eval:corpus`: Picklens, picklescan, modelscan and fickling side by side on ../shared/corpus/peers,
// then Picklens (and picklescan, when PICKLESCAN_SRC names its source) on the project's own wave 2 corpus
// (test/fixtures/wave2: the bypasses of 2024–2026 and their benign look-alikes).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { corpusAvailable, PEERS_DIR } from '../test/support/corpus';
import { evaluateCorpus, formatTable, isMetadataExemption } from '../test/support/corpus-eval';
import { classifyFile, readWave2Manifest, WAVE2_DIR } from '../test/support/fixtures';
import { PICKLESCAN_SRC, picklescanCommand } from '../test/support/picklescan';

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
/** picklescan's verdict on one file: dangerous when it reports an infected file (undefined: not run). */
function picklescanSays(path: string): boolean | undefined {
  const c = picklescanCommand(path);
  if (!c) return undefined;
  const r = spawnSync(c.cmd, c.args, { env: c.env, encoding: 'utf8' });
  return /Infected files: [1-9]/.test(r.stdout + r.stderr);
}
const tally = { picklens: { caught: 0, alarms: 0 }, picklescan: { caught: 0, alarms: 0 } };
for (const row of rows) {
  const path = join(WAVE2_DIR, 'files', row.file);
  const ours = (await classifyFile(path, row.file)).risk === 'dangerous';
  const theirs = picklescanSays(path);
  const key = row.kind === 'malicious' ? 'caught' : 'alarms';
  if (ours) tally.picklens[key]++;
  if (theirs) tally.picklescan[key]++;
}
const bad = rows.filter((r) => r.kind === 'malicious').length;
const good = rows.length - bad;
console.log(
  `\nWave 2 corpus (test/fixtures/wave2): ${bad} malicious, ${good} benign; "false alarms" = benign called dangerous`,
);
console.log(
  `  picklens    caught ${tally.picklens.caught}/${bad}   false alarms ${tally.picklens.alarms}/${good}`,
);
for (const r of rows.filter((r) => r.miss)) console.log(`    missed: ${r.file} (${r.miss})`);
console.log(
  PICKLESCAN_SRC
    ? `  picklescan  caught ${tally.picklescan.caught}/${bad}   false alarms ${tally.picklescan.alarms}/${good}`
    : '  picklescan  not run (set PICKLESCAN_SRC to its src folder); modelscan and fickling are not run here',
);
