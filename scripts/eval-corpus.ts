// `npm run eval:corpus`: Picklens, picklescan, modelscan and fickling side by side on ../shared/corpus/peers.
import { corpusAvailable, PEERS_DIR } from '../test/support/corpus';
import { evaluateCorpus, formatTable, isMetadataExemption } from '../test/support/corpus-eval';

if (!corpusAvailable()) {
  console.error(`no peer corpus at ${PEERS_DIR}: it sits in ../shared/ beside the project's checkout`);
  process.exit(2);
}
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
