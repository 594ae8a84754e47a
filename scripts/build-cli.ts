// Builds the CLI for plain `node`: no TypeScript compiler at start-up (tsx alone cost about 0.7 s a run).
// dist/cli/engine.cjs is the scanner in one bundle; dist/cli/scan.mjs (lib/cli/entry.ts, the package's `bin`)
// loads it through V8's code cache, which this script fills by scanning the test fixtures once
// (dist/cli/engine.cjs.cache). Run by postinstall and before the tests; `npm run build:cli`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/cli');
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' } as const;
await build({
  ...common,
  entryPoints: [join(root, 'lib/cli/scan.ts')],
  outfile: join(out, 'engine.cjs'),
  format: 'cjs',
});
await build({
  ...common,
  entryPoints: [join(root, 'lib/cli/entry.ts')],
  outfile: join(out, 'scan.mjs'),
  format: 'esm',
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(join(out, 'scan.mjs'), 0o755); // the package's `bin`

// The code cache: what V8 compiled while scanning every fixture (exit 1: some are dangerous).
rmSync(join(out, 'engine.cjs.cache'), { force: true });
const run = spawnSync(process.execPath, [join(out, 'scan.mjs'), '--json', join(root, 'test/fixtures')], {
  env: { ...process.env, PICKLENS_WRITE_CODE_CACHE: '1' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (run.status !== 0 && run.status !== 1)
  throw new Error(`the fixture scan for the code cache exited ${run.status}`);
