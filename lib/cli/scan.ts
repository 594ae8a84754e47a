// `npm run scan -- PATH... [--json]`: the engine on local files and folders (recursive).
// Exit codes (DESIGN.md): 0 nothing dangerous, 1 something dangerous, 2 usage or I/O error.
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { classify } from '../formats/classify';
import type { Verdict } from '../formats/types';
import { openFileSource } from './file-source';
import { formatRow, formatSummary, toJsonLine } from './output';

const USAGE = `usage: npm run scan -- PATH... [--json]
  PATH    files or folders (folders are scanned recursively)
  --json  one JSON object per file, per line (the DESIGN.md contract)`;

/** Folder walks stop here, so a scan of / does not run forever. */
const MAX_FILES = 1_000_000;

async function* files(path: string): AsyncGenerator<string> {
  const st = await stat(path);
  if (st.isFile()) {
    yield path;
    return;
  }
  if (!st.isDirectory()) return;
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.isSymbolicLink()) continue;
    yield* files(join(path, e.name));
  }
}

export async function main(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const json = argv.includes('--json');
  const paths = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--json');
  if (argv.includes('--help')) {
    out.write(USAGE + '\n');
    return 0;
  }
  if (unknown.length || paths.length === 0) {
    err.write(`${unknown.length ? `unknown option ${unknown.join(' ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const color = !json && 'isTTY' in out && Boolean(out.isTTY) && !process.env.NO_COLOR;
  const verdicts: Verdict[] = [];
  let ioError = false;
  let count = 0;
  for (const root of paths) {
    try {
      for await (const file of files(root)) {
        if (++count > MAX_FILES) break;
        const shown = root === file ? file : join(root, relative(root, file));
        try {
          const src = await openFileSource(file);
          let v: Verdict;
          try {
            v = await classify(src, { name: file });
          } finally {
            await src.close();
          }
          verdicts.push(v);
          out.write(json ? toJsonLine(shown, v) + '\n' : formatRow(shown, v, color) + '\n');
        } catch (e) {
          ioError = true;
          err.write(`${shown}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
    } catch (e) {
      ioError = true;
      err.write(`${root}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (!json) out.write(formatSummary(verdicts, color) + '\n');
  if (ioError) return 2;
  return verdicts.some((v) => v.risk === 'dangerous') ? 1 : 0;
}

// Run only as a script, not when a test imports main().
if (process.argv[1] && /scan\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2), process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`picklens: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
