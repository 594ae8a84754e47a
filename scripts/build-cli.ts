// Builds the CLI into one ES module (dist/cli/scan.mjs) that plain `node` runs: no TypeScript compiler at
// start-up (tsx alone cost about 0.7 s a run). Run by postinstall and before the tests; `npm run build:cli`.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'lib/cli/scan.ts')],
  outfile: join(root, 'dist/cli/scan.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/cli/scan.mjs'), 0o755); // the package's `bin`
