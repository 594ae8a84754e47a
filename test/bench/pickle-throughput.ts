// Pickle walking throughput: Picklens's symbolic machine next to CPython's pickletools.genops (the opcode
// reader at picklescan's core) on the same ≥ 200 MB files. Two shapes, because they differ by orders of
// magnitude: opcode-dense (millions of small objects: every byte is an opcode) and checkpoint-like (large
// byte payloads, which Picklens skips unread and genops must read). Files are written once with Python's
// stdlib pickle into the OS temp folder and reused.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from '../../lib/formats/bytes';
import { classify } from '../../lib/formats/classify';
import { walkPickle } from '../../lib/formats/pickle';
import { openFileSource } from '../../lib/cli/file-source';
import { picklescanCommand } from '../support/peers';

const DIR = join(tmpdir(), 'picklens-bench');
const ROOT = join(import.meta.dirname, '../..');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const SHAPES = {
  'opcode-dense': `
import pickle, sys
data = [{'w': i * 0.5, 'name': 'layer%d' % i, 'shape': (i, i + 1), 'ok': True} for i in range(4_200_000)]
with open(sys.argv[1], 'wb') as f: pickle.dump(data, f, protocol=4)`,
  'checkpoint-like': `
import pickle, sys, collections
state = collections.OrderedDict()
for i in range(420):
    state['layer.%d.weight' % i] = {'dtype': 'float32', 'shape': (512, 256), 'data': bytes(524288)}
with open(sys.argv[1], 'wb') as f: pickle.dump({'state_dict': state, 'epoch': 3}, f, protocol=4)`,
} as const;

export interface ThroughputRow {
  shape: string;
  bytes: number;
  opcodes: number;
  /** walkPickle alone: what genops does (opcodes and arguments), plus the symbolic stack and memo. */
  walkSeconds: number;
  /** The fastest and slowest of the three timed walks. */
  walkRange: [number, number];
  /** classify: the whole verdict (paper rules, format, policy, findings). */
  picklensSeconds: number;
  genopsSeconds: number;
  /** picklescan on the file (a process), when PICKLESCAN_SRC is set. */
  picklescanSeconds?: number;
  picklensBytesRead: number;
  /** `node dist/cli/scan.mjs FILE` under /usr/bin/time (when the machine has it): what a user waits and pays. */
  cli?: { seconds: number; peakMB: number };
}

/** The built CLI on one file, as a process: wall seconds and peak resident memory, from GNU time. */
function cliCost(file: string): { seconds: number; peakMB: number } | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const cli = join(ROOT, 'dist/cli/scan.mjs');
  const r = spawnSync('/usr/bin/time', ['-f', 'picklens-cost %e %M', process.execPath, cli, file], {
    encoding: 'utf8',
  });
  const m = /picklens-cost ([\d.]+) (\d+)/.exec(r.stderr);
  return m ? { seconds: Number(m[1]), peakMB: Math.round(Number(m[2]) / 1024) } : undefined;
}

/** Seconds a command takes, as a process (start-up included), its output dropped. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - t) / 1000;
  if (r.error) throw r.error;
  // A run that died is not a time: picklescan exits 0 after a traceback that stopped its scan.
  if (/Traceback \(most recent call last\)/.test(r.stderr) || (r.status ?? 0) > 1)
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr.slice(-600)}`);
  return seconds;
}

function picklescan(path: string): number | undefined {
  const c = picklescanCommand(path);
  return c && timed(c.cmd, c.args, c.env);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function ensure(shape: keyof typeof SHAPES): string {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `${shape}.pkl`);
  if (!existsSync(file) || statSync(file).size < 200e6) {
    process.stderr.write(`writing ${file} with ${PYTHON} (once)…\n`);
    execFileSync(PYTHON, ['-c', SHAPES[shape], file], { stdio: 'inherit' });
  }
  return file;
}

function genops(file: string): { seconds: number; opcodes: number } {
  const code = `
import pickletools, sys, time
t = time.perf_counter(); n = 0
with open(sys.argv[1], 'rb') as f:
    for _ in pickletools.genops(f): n += 1
print(time.perf_counter() - t, n)`;
  const [s = '0', n = '0'] = execFileSync(PYTHON, ['-c', code, file], { encoding: 'utf8' }).trim().split(' ');
  return { seconds: Number(s), opcodes: Number(n) };
}

export async function pickleThroughput(): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const shape of Object.keys(SHAPES) as (keyof typeof SHAPES)[]) {
    const file = ensure(shape);
    const src = await openFileSource(file);
    const walks: number[] = [];
    // One walk to warm the JIT (its time is not kept), then three timed: a run's first walk compiles the
    // machine as it goes, and this machine's speed varies by a third from one walk to the next.
    for (let i = 0; i < 4; i++) {
      const tw = performance.now();
      await walkPickle(new Reader(src, src.size), 0);
      if (i > 0) walks.push((performance.now() - tw) / 1000);
    }
    const walkSeconds = median(walks);
    const t = performance.now();
    const v = await classify(src, { name: file });
    const picklensSeconds = (performance.now() - t) / 1000;
    await src.close();
    const py = genops(file);
    if (Number(v.details.opcodes) !== py.opcodes) {
      throw new Error(`${shape}: Picklens walked ${String(v.details.opcodes)} opcodes, genops ${py.opcodes}`);
    }
    rows.push({
      shape,
      bytes: src.size,
      opcodes: py.opcodes,
      walkSeconds,
      walkRange: [Math.min(...walks), Math.max(...walks)],
      picklensSeconds,
      genopsSeconds: py.seconds,
      picklescanSeconds: picklescan(file),
      picklensBytesRead: v.bytesRead,
      cli: cliCost(file),
    });
  }
  return rows;
}

/**
 * Fixtures left out of the small-files folder: picklescan stops the whole scan of a folder with a traceback
 * on an empty file (`data.seek(-1, 1)`: OSError) and on 7z archives without py7zr, so with them in it would
 * be timed on a scan it never finished.
 */
const PICKLESCAN_STOPS_ON = new Set(['empty.bin', 'bundle.7z', 'pickle_in.7z']);

/** A folder of many small model files: the fixtures (less those three), copied 19 times (836 files). */
function smallFiles(): string {
  const dir = join(DIR, 'small-files-v2');
  const fixtures = join(ROOT, 'test/fixtures/files');
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 19; i++)
      for (const f of readdirSync(fixtures))
        if (!PICKLESCAN_STOPS_ON.has(f)) copyFileSync(join(fixtures, f), join(dir, `${i}-${f}`));
  }
  return dir;
}

export interface SmallFilesRow {
  files: number;
  runs: number;
  picklensSeconds: number;
  picklescanSeconds?: number;
}

/** Runs of each tool on the small-files folder, taken in turn (A B A B…) so drifts of the machine hit both. */
const SMALL_FILES_RUNS = 11;

/** The CLI on a folder of small files as a user runs it (a process, start-up included), median of 11. */
export function smallFilesBench(): SmallFilesRow {
  const dir = smallFiles();
  const cli = join(ROOT, 'dist/cli/scan.mjs');
  if (!existsSync(cli)) throw new Error(`no ${cli}: run npm run build:cli`);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < SMALL_FILES_RUNS; i++) {
    ours.push(timed(process.execPath, [cli, '--json', dir]));
    const t = picklescan(dir);
    if (t !== undefined) theirs.push(t);
  }
  return {
    files: readdirSync(dir).length,
    runs: SMALL_FILES_RUNS,
    picklensSeconds: median(ours),
    picklescanSeconds: theirs.length ? median(theirs) : undefined,
  };
}

export function formatSmallFiles(r: SmallFilesRow): string {
  return [
    `A folder of ${r.files} small model files, as a process (start-up included), median of ${r.runs} runs taken in turn:`,
    `  Picklens (node dist/cli/scan.mjs) ${r.picklensSeconds.toFixed(3)} s` +
      (r.picklescanSeconds === undefined
        ? '; picklescan not measured (set PICKLESCAN_SRC to its src folder)'
        : `; picklescan ${r.picklescanSeconds.toFixed(3)} s (${(r.picklescanSeconds / r.picklensSeconds).toFixed(2)}× Picklens's time)`),
  ].join('\n');
}

export function formatThroughput(rows: ThroughputRow[]): string {
  const mbps = (b: number, s: number) => `${(b / 1e6 / s).toFixed(1)} MB/s`;
  const lines = [
    'Pickle walking, same file, same machine. walk = Picklens walkPickle (opcodes, arguments, symbolic stack and',
    'memo; median of 3 after a warm-up walk, range below); verdict = Picklens classify (adds paper rules, policy,',
    'findings; one cold run); genops = CPython pickletools.genops; picklescan = the whole tool as a process (when',
    'PICKLESCAN_SRC is set).',
    `  ${'file'.padEnd(16)}${'size'.padEnd(9)}${'opcodes'.padEnd(12)}${'walk'.padEnd(15)}${'verdict'.padEnd(15)}${'genops'.padEnd(14)}${'walk/genops'.padEnd(13)}${'verdict/genops'.padEnd(16)}read`,
  ];
  for (const r of rows) {
    const ratio = (s: number) => `${(r.genopsSeconds / s).toFixed(1)}×`;
    lines.push(
      `  ${r.shape.padEnd(16)}${`${(r.bytes / 1e6).toFixed(0)} MB`.padEnd(9)}${r.opcodes.toLocaleString('en').padEnd(12)}${mbps(r.bytes, r.walkSeconds).padEnd(15)}${mbps(r.bytes, r.picklensSeconds).padEnd(15)}${mbps(r.bytes, r.genopsSeconds).padEnd(14)}${ratio(r.walkSeconds).padEnd(13)}${ratio(r.picklensSeconds).padEnd(16)}${(r.picklensBytesRead / 1e6).toFixed(1)} MB` +
        (r.picklescanSeconds === undefined
          ? ''
          : `   picklescan ${mbps(r.bytes, r.picklescanSeconds)} (verdict ${(r.picklescanSeconds / r.picklensSeconds).toFixed(0)}× faster)`),
    );
  }
  for (const r of rows)
    lines.push(
      `  ${r.shape}: walk ${mbps(r.bytes, r.walkRange[1])}–${mbps(r.bytes, r.walkRange[0])} over the three timed walks` +
        (r.cli
          ? `; the CLI on it, as a process: ${r.cli.seconds.toFixed(2)} s, peak RSS ${r.cli.peakMB} MB`
          : ''),
    );
  return lines.join('\n');
}
