// `npm run hub [-- --port N] [--http] [--latency MS]`: the local Hub replica with the sample repos, until
// Ctrl-C. Prints the URL, the certificate's path, and how to point Chromium and Node at it.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubHostRules } from './hosts';
import { sampleRepos } from './sample-repos';
import { startReplica } from './server';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const hub = await startReplica({
  repos: sampleRepos(),
  protocol: process.argv.includes('--http') ? 'http' : 'https',
  port: Number(arg('--port') ?? 8443),
  knobs: { latencyMs: Number(arg('--latency') ?? 0) },
});
const certPath = join(tmpdir(), 'picklens-hub-cert.pem');
writeFileSync(certPath, hub.cert);
console.log(`local Hub replica at ${hub.url} (repos: ${[...hub.repos.keys()].join(', ')})`);
console.log(`certificate: ${certPath}`);
console.log(
  `scan a repo:  NODE_EXTRA_CA_CERTS=${certPath} npm run scan -- --hub picklens/history --endpoint ${hub.url}`,
);
console.log(`Chromium:     --host-resolver-rules="${hubHostRules(hub.port)}" --ignore-certificate-errors`);
const stop = () => void hub.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
