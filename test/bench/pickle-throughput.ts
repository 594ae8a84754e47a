// Pickle walking throughput: Picklens's symbolic machine next to CPython's pickletools.genops (the opcode
// reader at picklescan's core) on the same ≥ 200 MB files. Two shapes, because they differ by orders of
// magnitude: opcode-dense (millions of small objects: every byte is an opcode) and checkpoint-like (large
// byte payloads, which Picklens skips unread and genops must read). Files are written once with Python's
// stdlib pickle into the OS temp folder and reused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from '../../lib/formats/bytes';
import { classify } from '../../lib/formats/classify';
import { walkPickle } from '../../lib/formats/pickle';
import { openFileSource } from '../../lib/cli/file-source';

const DIR = join(tmpdir(), 'picklens-bench');
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
  /** classify: the whole verdict (paper rules, format, policy, findings). */
  picklensSeconds: number;
  genopsSeconds: number;
  picklensBytesRead: number;
}

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
    const tw = performance.now();
    await walkPickle(new Reader(src, src.size), 0);
    const walkSeconds = (performance.now() - tw) / 1000;
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
      picklensSeconds,
      genopsSeconds: py.seconds,
      picklensBytesRead: v.bytesRead,
    });
  }
  return rows;
}

export function formatThroughput(rows: ThroughputRow[]): string {
  const mbps = (b: number, s: number) => `${(b / 1e6 / s).toFixed(1)} MB/s`;
  const lines = [
    'Pickle walking, same file, same machine. walk = Picklens walkPickle (opcodes, arguments, symbolic stack and',
    'memo); verdict = Picklens classify (adds paper rules, policy, findings); genops = CPython pickletools.genops.',
    `  ${'file'.padEnd(16)}${'size'.padEnd(9)}${'opcodes'.padEnd(12)}${'walk'.padEnd(15)}${'verdict'.padEnd(15)}${'genops'.padEnd(14)}${'walk/genops'.padEnd(13)}${'verdict/genops'.padEnd(16)}read`,
  ];
  for (const r of rows) {
    const ratio = (s: number) => `${(r.genopsSeconds / s).toFixed(1)}×`;
    lines.push(
      `  ${r.shape.padEnd(16)}${`${(r.bytes / 1e6).toFixed(0)} MB`.padEnd(9)}${r.opcodes.toLocaleString('en').padEnd(12)}${mbps(r.bytes, r.walkSeconds).padEnd(15)}${mbps(r.bytes, r.picklensSeconds).padEnd(15)}${mbps(r.bytes, r.genopsSeconds).padEnd(14)}${ratio(r.walkSeconds).padEnd(13)}${ratio(r.picklensSeconds).padEnd(16)}${(r.picklensBytesRead / 1e6).toFixed(1)} MB`,
    );
  }
  return lines.join('\n');
}
