// The `picklens` bin (dist/cli/scan.mjs): loads the scanner's bundle (dist/cli/engine.cjs) through V8's code
// cache, then runs it. Compiling the bundle's functions is a tenth of a short scan's time; the build runs the
// scanner once over the test fixtures and keeps what V8 compiled (dist/cli/engine.cjs.cache), so a scan
// starts with it compiled. V8 checks the cache against the source, its own version and its flags and ignores
// a cache that does not match (another node, `--cpu-prof`): the scan then compiles as usual. Nothing is
// written at run time unless PICKLENS_WRITE_CODE_CACHE is set (the build sets it).
// Mechanism: node's vm.Script `cachedData` / `createCachedData()` (https://nodejs.org/api/vm.html).
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

interface Engine {
  main(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number>;
}

const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'engine.cjs');
const cacheFile = `${file}.cache`;

function cached(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined; // no cache: compile as usual
  }
}

const cachedData = process.env.PICKLENS_WRITE_CODE_CACHE ? undefined : cached();
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const mod = { exports: {} as Engine };
// Module.wrap's function: (exports, require, module, __filename, __dirname), as node runs any CommonJS file.
(script.runInThisContext() as (...args: unknown[]) => void)(
  mod.exports,
  createRequire(file),
  mod,
  file,
  here,
);

mod.exports.main(process.argv.slice(2), process.stdout, process.stderr).then(
  (code) => {
    process.exitCode = code;
    if (process.env.PICKLENS_WRITE_CODE_CACHE) writeFileSync(cacheFile, script.createCachedData());
  },
  (e: unknown) => {
    process.stderr.write(`picklens: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
