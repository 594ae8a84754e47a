// The engine's fuzz harness: random inputs and mutations of real files (the fixtures, the wave 2 corpus and,
// when present, the peer corpora) through classify. Every input must get a verdict: no throw, no hang, bounded memory.
// `npm run fuzz` runs 1,000,000 inputs; `npm test` runs a short version of the same harness.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { classify } from '../../lib/formats/classify';
import { memorySource } from '../../lib/formats/bytes';
import { RISKS } from '../../lib/formats/types';
import { PEERS_DIR, corpusAvailable } from './corpus';
import { FIXTURES_DIR, WAVE2_DIR } from './fixtures';

/** Larger seeds are skipped: mutations of them would dominate the time. */
const MAX_SEED_FILE = 256 * 1024;
/** An input slower than this is reported as a hang suspect. */
export const SLOW_MS = 2000;

export function seedFiles(): Uint8Array[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size <= MAX_SEED_FILE && !p.endsWith('manifest.tsv')) files.push(p);
    }
  };
  walk(FIXTURES_DIR);
  walk(join(WAVE2_DIR, 'files')); // the compressions, ONNX and GGUF shapes of issue 13
  if (corpusAvailable()) walk(PEERS_DIR);
  return files.sort().map((f) => new Uint8Array(readFileSync(f)));
}

/** mulberry32: a small seeded PRNG, so a failing input can be replayed from its seed and index. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x2e, 0x28, 0x93, 0x95, 0x63, 0x0a];

export function makeInput(r: () => number, pool: Uint8Array[]): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const pick = () => pool[int(pool.length)] ?? new Uint8Array(0);
  if (r() < 0.1) {
    const out = new Uint8Array(int(512));
    for (let i = 0; i < out.length; i++) out[i] = int(256);
    return out;
  }
  let b = new Uint8Array(pick());
  const rounds = 1 + int(4);
  for (let k = 0; k < rounds && b.length; k++) {
    const at = int(b.length);
    switch (int(7)) {
      case 0: // flip bits
        b[at] = (b[at] ?? 0) ^ (1 << int(8));
        break;
      case 1: // an interesting byte
        b[at] = INTERESTING[int(INTERESTING.length)] ?? 0;
        break;
      case 2: // a length field grown or zeroed
        for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = r() < 0.5 ? 0xff : 0;
        break;
      case 3: // truncate
        b = b.subarray(0, at);
        break;
      case 4: {
        // delete a range
        const n = int(64);
        b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + n)]);
        break;
      }
      case 5: {
        // splice in a piece of another file
        const other = pick();
        const from = int(other.length + 1);
        const piece = other.subarray(from, from + int(256));
        b = new Uint8Array([...b.subarray(0, at), ...piece, ...b.subarray(at)]);
        break;
      }
      default: {
        // duplicate a chunk
        const n = int(128);
        b = new Uint8Array([...b.subarray(0, at + n), ...b.subarray(at, at + n), ...b.subarray(at + n)]);
      }
    }
  }
  return b;
}

export interface FuzzReport {
  inputs: number;
  failures: { index: number; error: string }[];
  slow: { index: number; ms: number }[];
  maxMs: number;
  maxHeapMB: number;
  byRisk: Record<string, number>;
}

export async function fuzz(
  count: number,
  seed: number,
  onProgress?: (done: number, report: FuzzReport) => void,
): Promise<FuzzReport> {
  const pool = seedFiles();
  const r = rng(seed);
  const report: FuzzReport = { inputs: 0, failures: [], slow: [], maxMs: 0, maxHeapMB: 0, byRisk: {} };
  for (let i = 0; i < count; i++) {
    const input = makeInput(r, pool);
    const t = performance.now();
    try {
      const v = await classify(memorySource(input), { name: i % 3 ? 'x.bin' : 'x.safetensors' });
      if (!RISKS.includes(v.risk)) throw new Error(`no risk: ${String(v.risk)}`);
      report.byRisk[v.risk] = (report.byRisk[v.risk] ?? 0) + 1;
    } catch (e) {
      if (report.failures.length < 20)
        report.failures.push({ index: i, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    const ms = performance.now() - t;
    report.maxMs = Math.max(report.maxMs, ms);
    if (ms > SLOW_MS && report.slow.length < 20) report.slow.push({ index: i, ms });
    report.inputs++;
    if (i % 10_000 === 0) {
      report.maxHeapMB = Math.max(report.maxHeapMB, process.memoryUsage().heapUsed / 1e6);
      onProgress?.(i, report);
    }
  }
  report.maxHeapMB = Math.max(report.maxHeapMB, process.memoryUsage().heapUsed / 1e6);
  return report;
}
