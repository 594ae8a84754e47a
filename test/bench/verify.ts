// `npm run bench -- verify`: what a conversion check costs (lib/hub/verify-pr.ts), against downloading both
// files, on the 1 GB pair of test/fixtures/conversion (291 tensors, tied embeddings) served by the replica,
// smooth and as rough as the real Hub, at 0 and 50 ms a request.
import { verifyPr } from '../../lib/hub/verify-pr';
import { benchConversionRepo, conversionRepos } from '../hub/conversion-repos';
import { sizeOf, type RepoSpec } from '../hub/repos';
import { SMOOTH, startReplica } from '../hub/server';
import { replicaFetch } from '../support/replica-client';

const MB = 1024 * 1024;

export async function verifyBench(): Promise<string> {
  const repos = [benchConversionRepo(), ...conversionRepos()];
  const hub = await startReplica({ repos });
  const fetch = replicaFetch(hub.cert);
  const lines = [
    'Conversion check (scan --hub … --verify-pr 1): requests and bytes, next to downloading both files',
    `  ${'repo'.padEnd(26)}${'replica'.padEnd(25)}${'verdict'.padEnd(22)}${'tensors'.padEnd(9)}${'API'.padEnd(5)}${'file reads'.padEnd(12)}${'resolve'.padEnd(9)}${'bytes'.padEnd(12)}${'both files'.padEnd(12)}${'saved'.padEnd(8)}time`,
  ];
  const defaults = { ...hub.knobs };
  try {
    for (const [id, label, knobs] of [
      ['conversion/bench-1g', 'smooth, 0 ms', { ...SMOOTH, latencyMs: 0 }],
      ['conversion/bench-1g', 'smooth, 50 ms', { ...SMOOTH, latencyMs: 50 }],
      ['conversion/bench-1g', 'real-site faults, 50 ms', { latencyMs: 50 }],
      ['conversion/tied', 'real-site faults, 50 ms', { latencyMs: 50 }],
    ] as const) {
      Object.assign(hub.knobs, defaults, knobs);
      hub.log.length = 0;
      const t = performance.now();
      const r = await verifyPr({ type: 'model', id }, 1, { endpoint: hub.url, fetch });
      const seconds = (performance.now() - t) / 1000;
      const both = r.files.reduce((n, f) => n + (f.role === 'index' ? 0 : specSize(repos, id, f.path)), 0);
      const resolves = hub.log.filter((l) => l.path.includes('/resolve/')).length;
      const kib = (n: number) =>
        n >= 10 * MB ? `${(n / MB).toFixed(0)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
      lines.push(
        `  ${id.padEnd(26)}${label.padEnd(25)}${r.verdict.padEnd(22)}${String(r.tensors).padEnd(9)}${String(r.apiCalls).padEnd(5)}${String(r.requests - r.apiCalls).padEnd(12)}${String(resolves).padEnd(9)}${kib(r.bytesRead).padEnd(12)}${kib(both).padEnd(12)}${`${(both / Math.max(1, r.bytesRead)).toFixed(0)}×`.padEnd(8)}${seconds.toFixed(2)} s`,
      );
    }
  } finally {
    await hub.close();
  }
  lines.push(
    '  (file reads: Range requests made, retries of bogus 416s included; resolve: of those, asked of the Hub',
    "  itself — the rest went to the CDN's signed URL; both files: what downloading the two would cost)",
  );
  return lines.join('\n');
}

/** A file's size in the repo's spec: in the PR's files, else on main. */
function specSize(repos: RepoSpec[], id: string, path: string): number {
  const spec = repos.find((r) => r.id === id);
  const c = spec?.discussions?.find((d) => d.files?.[path])?.files?.[path] ?? spec?.commits[0]?.files[path];
  return c ? sizeOf(c) : 0;
}
