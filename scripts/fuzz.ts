// `npm run fuzz [-- COUNT [SEED]]`: pushes COUNT (default 1,000,000) random and mutated inputs through the
// engine; exits 1 on any throw, hang suspect (an input over SLOW_MS) or heap over the ceiling.
import { SLOW_MS, fuzz } from '../test/support/fuzz';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const HEAP_CEILING_MB = 1024;
const start = performance.now();
const report = await fuzz(count, seed, (done, r) => {
  if (done % 100_000 === 0) {
    const s = (performance.now() - start) / 1000;
    process.stderr.write(
      `${done.toLocaleString('en')} inputs, ${s.toFixed(0)} s, failures ${r.failures.length}, slowest ${r.maxMs.toFixed(0)} ms, heap ${r.maxHeapMB.toFixed(0)} MB\n`,
    );
  }
});
const seconds = (performance.now() - start) / 1000;
console.log(`fuzz: ${report.inputs.toLocaleString('en')} inputs (seed ${seed}) in ${seconds.toFixed(0)} s`);
console.log(
  `  verdicts: ${Object.entries(report.byRisk)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`,
);
console.log(
  `  throws: ${report.failures.length}; inputs over ${SLOW_MS} ms: ${report.slow.length}; slowest ${report.maxMs.toFixed(0)} ms; heap max ${report.maxHeapMB.toFixed(0)} MB`,
);
for (const f of report.failures)
  console.log(`  input ${f.index}: ${f.error.split('\n').slice(0, 3).join(' | ')}`);
for (const s of report.slow) console.log(`  input ${s.index}: ${s.ms.toFixed(0)} ms`);
process.exitCode = report.failures.length || report.slow.length || report.maxHeapMB > HEAP_CEILING_MB ? 1 : 0;
