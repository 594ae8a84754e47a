// `npm run scan -- PATH... [--json]`: the engine on local files and folders (recursive).
// Exit codes (DESIGN.md): 0 nothing dangerous, 1 something dangerous, 2 usage or I/O error.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { takeOption } from './args';
import { classify } from '../formats/classify';
import type { Verdict } from '../formats/types';
import { DEFAULT_ENDPOINT, type FetchLike } from '../hub/http-source';
import { openFileSource } from './file-source';
import { describeHubError, parseRepoArg, scanHubRepo } from './hub-scan';
import { toJsonLine } from '../formats/report';
import { formatRow, formatSummary, formatVerification } from './output';
import { verifyPr } from '../hub/verify-pr';

const USAGE = `usage: npm run scan -- PATH... [--json]
       npm run scan -- --hub ORG/NAME[@REV] [--endpoint URL] [--all] [--json]
       npm run scan -- --hub ORG/NAME --verify-pr N [--budget BYTES] [--endpoint URL] [--json]
  PATH            files or folders (folders are scanned recursively)
  --hub REPO      every model file of a Hub repo (datasets/ORG/NAME and spaces/ORG/NAME too), read with
                  Range requests; progress on stderr; then the repo's code (auto_map, .py files)
  --endpoint URL  another Hub, such as the local replica (http or https); default https://huggingface.co
  --all           with --hub: every file, not only model files
  --verify-pr N   with --hub: is pull request N's safetensors the same model as the pickle it came from?
                  Headers compared whole, tensor values sampled; exit 0 equivalent, 1 differs, 2 unverifiable
  --budget BYTES  with --verify-pr: bytes read in all (default 1048576)
  --json          one JSON object per file, per line (the DESIGN.md contract); with --hub, one more
                  for the repo's code (its "repo" key tells it apart); with --verify-pr, one object`;

/** Output is written when this many characters wait, or at the next line after OUTPUT_EVERY_MS. */
const OUTPUT_BATCH = 64 * 1024;
const OUTPUT_EVERY_MS = 100;
/** A file this big may take a while: the lines waiting are written before it is read. */
const SLOW_FILE = 1 << 20;

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
    // The entry's own type: no stat per file (links are not followed).
    if (e.isFile()) yield join(path, e.name);
    else if (e.isDirectory()) yield* files(join(path, e.name));
  }
}

/** Where a Hub command talks and writes. */
interface HubIo {
  endpoint: string;
  json: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  fetchImpl?: FetchLike;
}

async function mainHub(repoArg: string, all: boolean, io: HubIo): Promise<number> {
  const { endpoint, json, out, err, fetchImpl } = io;
  const parsed = parseRepoArg(repoArg);
  if (!parsed) {
    err.write(`not a repo: ${repoArg}\n${USAGE}\n`);
    return 2;
  }
  const color = !json && 'isTTY' in out && Boolean(out.isTTY) && !process.env.NO_COLOR;
  try {
    const { files: results, code } = await scanHubRepo(parsed.repo, parsed.rev, {
      endpoint,
      fetch: fetchImpl,
      all,
      onProgress: (done, total, path) => err.write(`[${done}/${total}] ${path}\n`),
      onWait: (ms, why) => err.write(`waiting ${(ms / 1000).toFixed(1)} s: ${why}\n`),
    });
    for (const r of results)
      out.write(json ? toJsonLine(r.path, r.verdict) + '\n' : formatRow(r.path, r.verdict, color) + '\n');
    // The repo's own code, after its files: one more line, told apart by its "repo" key (no "path").
    if (json) out.write(JSON.stringify({ repo: repoArg.split('@')[0], rev: parsed.rev, code }) + '\n');
    else {
      out.write(
        formatSummary(
          results.map((r) => r.verdict),
          color,
        ) + '\n',
      );
      for (const f of code.findings) out.write(`code: ${f.message}\n`);
      if (!code.findings.length) out.write('code: no Python files and no auto_map\n');
    }
    const remoteCode = code.findings.some((f) => f.severity === 'danger');
    return remoteCode || results.some((r) => r.verdict.risk === 'dangerous') ? 1 : 0;
  } catch (e) {
    err.write(`${repoArg}: ${describeHubError(e)}\n`);
    return 2;
  }
}

async function mainVerify(
  repoArg: string,
  num: number,
  budget: number | undefined,
  io: HubIo,
): Promise<number> {
  const { endpoint, json, out, err, fetchImpl } = io;
  const parsed = parseRepoArg(repoArg);
  if (!parsed || repoArg.includes('@')) {
    err.write(
      `not a repo: ${repoArg} (--verify-pr takes ORG/NAME; the PR names its own revisions)\n${USAGE}\n`,
    );
    return 2;
  }
  let last = '';
  const r = await verifyPr(parsed.repo, num, {
    endpoint,
    fetch: fetchImpl,
    budget,
    onProgress: (done, total, phase) => {
      const line = `${phase} ${done}/${total}`;
      if (line !== last && (phase === 'headers' || done === total || done % 50 === 0))
        err.write(`[${line}]\n`);
      last = line;
    },
    onWait: (ms, why) => err.write(`waiting ${(ms / 1000).toFixed(1)} s: ${why}\n`),
  });
  out.write(json ? JSON.stringify(r) + '\n' : formatVerification(r) + '\n');
  return r.verdict === 'differs' ? 1 : r.verdict === 'unverifiable' ? 2 : 0;
}

export async function main(
  argvIn: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  fetchImpl?: FetchLike,
): Promise<number> {
  const argv = [...argvIn];
  const hub = takeOption(argv, '--hub');
  const endpoint = takeOption(argv, '--endpoint');
  const verify = takeOption(argv, '--verify-pr');
  const budget = takeOption(argv, '--budget');
  const all = argv.includes('--all');
  if (all) argv.splice(argv.indexOf('--all'), 1);
  const json = argv.includes('--json');
  if (hub === null || endpoint === null || (endpoint !== undefined && !/^https?:\/\//.test(endpoint))) {
    err.write(`--hub takes ORG/NAME[@REV] and --endpoint an http(s) URL\n${USAGE}\n`);
    return 2;
  }
  const num = verify == null ? undefined : /^[1-9]\d{0,8}$/.test(verify) ? Number(verify) : NaN;
  const bytes = budget == null ? undefined : /^\d{1,12}$/.test(budget) ? Number(budget) : NaN;
  if (verify === null || Number.isNaN(num) || budget === null || Number.isNaN(bytes)) {
    err.write(`--verify-pr takes a pull request number and --budget a number of bytes\n${USAGE}\n`);
    return 2;
  }
  if (
    (num !== undefined || bytes !== undefined) &&
    (hub === undefined || all || (bytes !== undefined && num === undefined))
  ) {
    err.write(`--verify-pr goes with --hub (and without --all); --budget with --verify-pr\n${USAGE}\n`);
    return 2;
  }
  if (hub !== undefined) {
    const extra = argv.filter((a) => a !== '--json');
    if (extra.length) {
      err.write(`unexpected ${extra.join(' ')} with --hub\n${USAGE}\n`);
      return 2;
    }
    const io = { endpoint: endpoint ?? DEFAULT_ENDPOINT, json, out, err, fetchImpl };
    return num !== undefined ? mainVerify(hub, num, bytes, io) : mainHub(hub, all, io);
  }
  if (endpoint !== undefined || all) {
    err.write(`--endpoint and --all go with --hub\n${USAGE}\n`);
    return 2;
  }
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
  // Lines leave in batches (a write per file cost ~4% of a scan of small files into a pipe): when 64 KiB
  // wait, when the oldest has waited OUTPUT_EVERY_MS at the next line, and before a big file.
  let pending = '';
  let flushedAt = performance.now();
  const emit = (line: string) => {
    pending += line + '\n';
    if (pending.length >= OUTPUT_BATCH || performance.now() - flushedAt >= OUTPUT_EVERY_MS) flush();
  };
  const flush = () => {
    if (pending) out.write(pending);
    pending = '';
    flushedAt = performance.now();
  };
  // One file after another: local reads are synchronous (lib/cli/file-source.ts), so nothing would overlap.
  for (const root of paths) {
    try {
      for await (const file of files(root)) {
        if (++count > MAX_FILES) break;
        const shown = file; // files() joined it to its root already
        try {
          const src = await openFileSource(file);
          if (src.size > SLOW_FILE) flush(); // what was found so far shows while a big file is read
          let v: Verdict;
          try {
            v = await classify(src, { name: file });
          } finally {
            await src.close();
          }
          verdicts.push(v);
          emit(json ? toJsonLine(shown, v) : formatRow(shown, v, color));
        } catch (e) {
          ioError = true;
          flush(); // the error after the lines before it
          err.write(`${shown}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
    } catch (e) {
      ioError = true;
      flush();
      err.write(`${root}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (!json) emit(formatSummary(verdicts, color));
  flush();
  if (ioError) return 2;
  return verdicts.some((v) => v.risk === 'dangerous') ? 1 : 0;
}
