// Is a conversion the same model? The safetensors files of a conversion against the torch.save checkpoint
// they came from, from their headers and a bounded sample of tensor bytes: names, dtypes and shapes from the
// safetensors header and from data.pkl (torch-tensors.ts); the ties the converter drops (SFconvertbot records
// each dropped name in __metadata__ as {dropped: kept}, HUB.md "Conversion and verification"); the index of a
// sharded conversion; then, for every tensor, the same elements read from both files (its first, a middle
// and its last elements) and compared byte for byte. All bytes read are bounded by one budget.
//
// Sampling cannot see everything: a change confined to elements outside the windows is not caught (the
// report's `coverage` is the share of tensor bytes compared); what it does catch is any difference in the
// windows, a re-typed, reshaped, transposed, shifted, truncated, zeroed or swapped tensor, and every
// difference of names, shapes, dtypes and ties, which are compared whole.
import { ReadError, Reader, concat } from './bytes';
import { dtypeBytes, readSafetensors, type SafetensorsTensor } from './safetensors';
import { torchLegacyTensors, torchTensors, type TorchStorage, type TorchTensor } from './torch-tensors';
import type { ByteSource } from './types';
import { locateData, type ZipEntry } from './zip';

type VerifyVerdict = 'equivalent' | 'equivalent-with-ties' | 'differs' | 'unverifiable';

type DifferenceKind =
  'missing' | 'extra' | 'shape' | 'dtype' | 'value' | 'undeclared-tie' | 'declared-tie' | 'index' | 'format';

type UnverifiableReason =
  | 'no-pickle'
  | 'no-safetensors'
  | 'legacy-format'
  | 'unsupported-original'
  | 'compressed-members'
  | 'big-endian'
  | 'header-too-large'
  | 'not-a-state-dict'
  | 'unsupported-tensor'
  | 'over-budget'
  | 'unreadable'
  | 'gated'
  | 'not-a-conversion-pr'
  | 'ref-deleted';

interface Difference {
  tensor: string;
  kind: DifferenceKind;
  detail: string;
}

export interface VerifyReport {
  verdict: VerifyVerdict;
  /** Tensor names compared by spec: the checkpoint's (after unwrapping) and the conversion's extras. */
  tensors: number;
  /** Tensors whose values were sampled in both files. */
  compared: number;
  /** Bytes of tensor data compared, both files together. */
  sampledBytes: number;
  /** The share of the conversion's tensor bytes whose values were compared. */
  coverage: number;
  differences: Difference[];
  /** Differences found, when more than the list keeps. */
  differenceCount: number;
  ties: { removed: string; kept: string }[];
  unwrapped?: string;
  /** Sample windows whose reads failed after retries and were left out (coverage counts without them). */
  unreadSamples?: number;
  reason?: string;
  reasonCode?: UnverifiableReason;
  requests: number;
  bytesRead: number;
  files: { path: string; role: 'converted' | 'original' | 'index'; tensors?: number }[];
}

export interface VerifyFile {
  path: string;
  source: ByteSource;
  size?: number;
}

/** One conversion: safetensors files and the pickle files they came from (shards of one model, or a pair). */
export interface VerifyGroup {
  converted: VerifyFile[];
  original: VerifyFile[];
  /** The conversion's model.safetensors.index.json, when it has one: its text. */
  index?: { path: string; text: string };
}

export interface VerifyOptions {
  /** Bytes read in all, headers included (default VERIFY_BUDGET). */
  budget?: number;
  /** Reads in flight at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number, phase: 'headers' | 'samples') => void;
  /** Each window compared: the conversion's file, and the bytes [begin, end) of it compared (for coverage maps). */
  onSample?: (path: string, begin: number, end: number) => void;
}

/** Every byte a verification reads, headers and samples together: the issue's target for a repo. */
export const VERIFY_BUDGET = 1024 * 1024;
/** A safetensors header read for verification at most this large (the crate allows 100 MB; none is near). */
const MAX_VERIFY_HEADER = 8 * 1024 * 1024;
/** A sample window's bytes: at least, at most. */
const MIN_WINDOW = 16;
const MAX_WINDOW = 4096;
/** The budget left after the headers, divided: 1 part windows, the other parts bridging gaps. */
const WINDOW_SHARE = 4;
/** Elements per window when a tensor is not contiguous in its storage (each element its own range). */
const STRIDED_WINDOW = 16;
/** Bytes beyond a zip local header's name read with it (torch pads the extra field to align the data). */
const LOCAL_HEADER_SLACK = 128;
/** Differences listed; more are counted. */
const MAX_DIFFERENCES = 100;
/** Reads in flight: the samples go to the CDN's own URL (lib/hub/http-source.ts pinRedirect), not the Hub. */
const DEFAULT_CONCURRENCY = 8;

interface ConvTensor extends SafetensorsTensor {
  reader: Reader;
  path: string;
}
interface OrigTensor extends TorchTensor {
  reader: Reader;
  path: string;
}

class Problems {
  differences: Difference[] = [];
  count = 0;
  unverifiable?: { code: UnverifiableReason; message: string };
  differ(tensor: string, kind: DifferenceKind, detail: string): void {
    this.count++;
    if (this.differences.length < MAX_DIFFERENCES) this.differences.push({ tensor, kind, detail });
  }
  cannot(code: UnverifiableReason, message: string): void {
    this.unverifiable ??= { code, message };
  }
}

const q = (s: string) => JSON.stringify(s);
const shapeText = (s: number[]) => `[${s.join(', ')}]`;
const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dirName = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '');

/** A verdict that says only why nothing could be compared. */
export function unverifiable(code: UnverifiableReason, reason: string): VerifyReport {
  return {
    verdict: 'unverifiable',
    tensors: 0,
    compared: 0,
    sampledBytes: 0,
    coverage: 0,
    differences: [],
    differenceCount: 0,
    ties: [],
    reason,
    reasonCode: code,
    requests: 0,
    bytesRead: 0,
    files: [],
  };
}

/** What the head of a file that should be safetensors is instead, in words. */
function whatItIs(head: Uint8Array): string {
  if (head[0] === 0x50 && head[1] === 0x4b) return 'a zip archive (a torch.save checkpoint is one: a pickle)';
  if (head[0] === 0x80) return 'a pickle';
  return 'not safetensors';
}

async function readConverted(
  f: VerifyFile,
  reader: Reader,
  p: Problems,
): Promise<{ tensors: SafetensorsTensor[]; metadata: Record<string, string> } | undefined> {
  const size = reader.size ?? 0;
  const st = await readSafetensors(reader, size, MAX_VERIFY_HEADER);
  if (st.error?.code === 'safetensors-header-too-large' && size > 8) {
    const head = await reader.read(0, 8);
    const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (n <= 100_000_000n) {
      p.cannot(
        'header-too-large',
        `${f.path}: its header is ${n} bytes, over the ${MAX_VERIFY_HEADER}-byte limit for verifying`,
      );
      return undefined;
    }
  }
  if (st.error || !st.tensors) {
    const head = await reader.read(0, 8);
    const is = whatItIs(head);
    p.differ(
      f.path,
      'format',
      is === 'not safetensors' || st.paperJson
        ? `${f.path} is not valid safetensors: ${st.error?.message ?? 'no tensors'}`
        : `${f.path} is ${is}, not safetensors`,
    );
    return undefined;
  }
  return { tensors: st.tensors, metadata: st.metadata ?? {} };
}

async function readOriginal(f: VerifyFile, reader: Reader, p: Problems) {
  const size = reader.size ?? 0;
  const table = await torchTensors(reader, size);
  if (table.ok) return table;
  if (table.code === 'not-a-zip') {
    const head = await reader.read(0, 16);
    if (head[0] !== 0x80) {
      p.cannot('unsupported-original', `${f.path} is not a torch.save checkpoint (${whatItIs(head)})`);
      return undefined;
    }
    // Before torch 1.6: stacked pickles, then the storages.
    const legacy = await torchLegacyTensors(reader, size);
    if (legacy.ok) return legacy;
    if (legacy.code === 'not-a-state-dict') p.cannot('not-a-state-dict', `${f.path}: ${legacy.message}`);
    else if (legacy.code === 'not-legacy')
      p.cannot('unsupported-original', `${f.path} is a pickle, not a torch.save checkpoint`);
    else p.cannot('legacy-format', `${f.path} is torch's legacy (pre-1.6) format, and ${legacy.message}`);
  } else if (table.code === 'not-a-state-dict') p.cannot('not-a-state-dict', `${f.path}: ${table.message}`);
  else p.cannot('unsupported-original', `${f.path}: ${table.message}`);
  return undefined;
}

function isContiguous(t: TorchTensor): boolean {
  let expect = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    const d = t.shape[i] ?? 1;
    if (d !== 1 && t.stride[i] !== expect) return false;
    expect *= d;
  }
  return true;
}

/** Element i of the row-major order → its position in the storage, in elements. */
function storageIndex(t: TorchTensor, i: number): number {
  let pos = t.offset;
  for (let k = t.shape.length - 1; k >= 0; k--) {
    const d = t.shape[k] ?? 1;
    pos += (i % d) * (t.stride[k] ?? 0);
    i = Math.floor(i / d);
  }
  return pos;
}

function indexText(shape: number[], i: number): string {
  if (!shape.length) return '';
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k] ?? 1;
    idx.unshift(i % d);
    i = Math.floor(i / d);
  }
  return `[${idx.join(', ')}]`;
}

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** One element's value in words, for a difference's detail. */
export function elementText(dtype: string, b: Uint8Array): string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const num = (x: number) => String(Number.isInteger(x) ? x : Number(x.toPrecision(7)));
  switch (dtype) {
    case 'F32':
      return num(dv.getFloat32(0, true));
    case 'F64':
      return num(dv.getFloat64(0, true));
    case 'F16':
      return num(half(dv.getUint16(0, true)));
    case 'BF16':
      return num(new DataView(new Uint8Array([0, 0, b[0] ?? 0, b[1] ?? 0]).buffer).getFloat32(0, true));
    case 'I8':
      return String(dv.getInt8(0));
    case 'U8':
      return String(dv.getUint8(0));
    case 'BOOL':
      return b[0] ? 'True' : 'False';
    case 'I16':
      return String(dv.getInt16(0, true));
    case 'U16':
      return String(dv.getUint16(0, true));
    case 'I32':
      return String(dv.getInt32(0, true));
    case 'U32':
      return String(dv.getUint32(0, true));
    case 'I64':
      return dv.getBigInt64(0, true).toString();
    case 'U64':
      return dv.getBigUint64(0, true).toString();
    default:
      return `0x${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
  }
}

/** A stable pseudo-random number from a name (FNV-1a), so a verification samples the same places twice. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface Pair {
  name: string;
  orig: OrigTensor;
  conv: ConvTensor;
  /** The kept name, when the checkpoint's tensor is compared with the tensor a declared tie points to. */
  tie?: string;
  itemsize: number;
}

interface Window {
  pair: Pair;
  /** Elements [from, to) in row-major order. */
  from: number;
  to: number;
  conv: [number, number];
  orig: [number, number][];
}

/** Bytes from a member's local header to the end of its name and extra field's usual size. */
function headerSpan(e: ZipEntry | undefined): number {
  return 30 + utf8Length(e?.name ?? '') + LOCAL_HEADER_SLACK;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/**
 * Where torch's zip writer puts a record's data: after the local header, its name and an extra field padded
 * so that the data starts on a 64-byte boundary (caffe2/serialize/inline_container.cc, kFieldAlignment and
 * getPadding; zip64 fields first when the size or offset needs them). Only a prediction: the local header
 * read with it confirms it.
 */
function torchDataOffset(e: ZipEntry): number {
  let start = e.localOffset + 30 + utf8Length(e.name) + 4;
  if (e.size >= 0xffffffff || e.localOffset >= 0xffffffff) {
    start += 4;
    if (e.size >= 0xffffffff) start += 16;
    if (e.localOffset >= 0xffffffff) start += 8;
  }
  return Math.ceil(start / 64) * 64;
}

/** A pair's windows: its first, a middle and its last elements (or all of a small tensor). */
function windowsOf(x: Pair, base: number, window: number): Window[] {
  const { orig, conv, itemsize } = x;
  const contiguous = isContiguous(orig);
  const w = Math.max(1, Math.floor(window / itemsize));
  const width = contiguous ? w : Math.min(STRIDED_WINDOW, w);
  const n = orig.numel;
  const mid = width + (hashOf(x.name) % Math.max(1, n - 3 * width + 1));
  const spans: [number, number][] =
    n <= 3 * width
      ? [[0, n]]
      : [
          [0, width],
          [mid, mid + width],
          [n - width, n],
        ];
  return spans.map(([from, to]) => {
    const origRanges: [number, number][] = [];
    if (contiguous)
      origRanges.push([base + (orig.offset + from) * itemsize, base + (orig.offset + to) * itemsize]);
    else
      for (let i = from; i < to; i++) {
        const at = base + storageIndex(orig, i) * itemsize;
        origRanges.push([at, at + itemsize]);
      }
    return {
      pair: x,
      from,
      to,
      conv: [conv.begin + from * itemsize, conv.begin + to * itemsize],
      orig: origRanges,
    };
  });
}

/** A legacy storage's data offset, once its 8-byte element count (read with it) agrees with the pickle. */
async function legacyData(r: Reader, s: TorchStorage): Promise<number | undefined> {
  const at = s.countAt ?? 0;
  const b = await r.read(at, at + 8);
  if (b.length < 8) return undefined;
  const n = new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
  return n === BigInt(s.numel) ? at + 8 : undefined;
}

/** Runs tasks with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The ranges, per reader, to fetch: overlapping and touching ranges joined, then the smallest gaps between
 * neighbours bridged while the bytes they add fit in `spare` (fewer requests for a few bytes more).
 */
function plan(
  wanted: Map<Reader, [number, number][]>,
  spare: number,
): { reader: Reader; range: [number, number] }[] {
  const joined = new Map<Reader, [number, number][]>();
  const gaps: { reader: Reader; i: number; gap: number }[] = [];
  for (const [reader, ranges] of wanted) {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push([r[0], r[1]]);
    }
    joined.set(reader, out);
    for (let i = 1; i < out.length; i++)
      gaps.push({ reader, i, gap: (out[i] as [number, number])[0] - (out[i - 1] as [number, number])[1] });
  }
  gaps.sort((a, b) => a.gap - b.gap);
  const bridged = new Set<string>();
  const keys = new Map<Reader, number>();
  let n = 0;
  for (const r of joined.keys()) keys.set(r, n++);
  for (const g of gaps) {
    if (g.gap > spare) break;
    spare -= g.gap;
    bridged.add(`${keys.get(g.reader)}:${g.i}`);
  }
  const result: { reader: Reader; range: [number, number] }[] = [];
  for (const [reader, ranges] of joined) {
    let cur: [number, number] | undefined;
    ranges.forEach((r, i) => {
      if (cur && bridged.has(`${keys.get(reader)}:${i}`)) cur[1] = r[1];
      else {
        if (cur) result.push({ reader, range: cur });
        cur = [r[0], r[1]];
      }
    });
    if (cur) result.push({ reader, range: cur });
  }
  return result;
}

function totalOf(ranges: Iterable<[number, number]>): number {
  let n = 0;
  for (const [a, b] of ranges) n += b - a;
  return n;
}

/** Compares every group; one report for all of them. */
export async function verifyConversion(
  groups: VerifyGroup[],
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const budget = opts.budget ?? VERIFY_BUDGET;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const p = new Problems();
  const readers: Reader[] = [];
  const files: VerifyReport['files'] = [];
  const open = (f: VerifyFile) => {
    const r = new Reader(f.source, f.size ?? f.source.size);
    readers.push(r);
    return r;
  };
  const cost = () => ({
    requests: readers.reduce((n, r) => n + r.requests, 0),
    bytesRead: readers.reduce((n, r) => n + r.bytesRead, 0),
  });
  const pairs: Pair[] = [];
  const ties: VerifyReport['ties'] = [];
  let unreadSamples = 0;
  /** A failed read of samples: null, for the caller to leave its windows out; anything else is thrown. */
  const lostRead = (e: unknown): null => {
    if (e instanceof ReadError) return null;
    throw e;
  };
  let tensorCount = 0;
  let unwrapped: string | undefined;
  let convertedBytes = 0;
  let headersDone = 0;
  const headersTotal = groups.reduce((n, g) => n + g.converted.length + g.original.length, 0);
  const progress = () => opts.onProgress?.(++headersDone, headersTotal, 'headers');
  try {
    for (const g of groups) {
      if (!g.converted.length) p.cannot('no-safetensors', 'the pull request adds no safetensors file');
      if (!g.original.length)
        p.cannot('no-pickle', 'the base revision holds no pickle weights to compare with');
      if (!g.converted.length || !g.original.length) continue;
      // The conversion's side.
      const conv = new Map<string, ConvTensor>();
      const declared = new Map<string, string>();
      let unreadable = false;
      for (const f of g.converted) {
        const reader = open(f);
        const got = await readConverted(f, reader, p);
        progress();
        files.push({ path: f.path, role: 'converted', tensors: got?.tensors.length });
        if (!got) {
          unreadable = true;
          continue;
        }
        for (const t of got.tensors) {
          const seen = conv.get(t.name);
          if (seen) p.differ(t.name, 'index', `${q(t.name)} is in both ${seen.path} and ${f.path}`);
          else conv.set(t.name, { ...t, reader, path: f.path });
          convertedBytes += t.end - t.begin;
        }
        for (const [k, v] of Object.entries(got.metadata)) if (k !== 'format') declared.set(k, v);
      }
      // The checkpoint's side.
      const orig = new Map<string, OrigTensor>();
      for (const f of g.original) {
        const reader = open(f);
        const table = await readOriginal(f, reader, p);
        progress();
        files.push({ path: f.path, role: 'original', tensors: table?.tensors.length });
        if (!table) {
          unreadable = true;
          continue;
        }
        if (table.byteorder !== 'little')
          p.cannot(
            'big-endian',
            `${f.path} stores its tensors ${table.byteorder}-endian; the conversion's are little-endian`,
          );
        if (table.unwrapped) unwrapped = table.unwrapped;
        for (const o of table.opaque)
          p.cannot(
            'not-a-state-dict',
            `${f.path}: ${q(o.name)} is ${o.what}, not a tensor (the converter saves tensors only)`,
          );
        for (const t of table.tensors) orig.set(t.name, { ...t, reader, path: f.path });
      }
      if (g.index) checkIndex(g.index, conv, declared, g.converted, p, files);
      // A file that could not be read leaves nothing to pair its tensors with: no missing or extra names.
      if (unreadable) continue;
      // Names, dtypes, shapes, ties.
      const keptByStorage = new Map<TorchStorage, OrigTensor[]>();
      for (const t of orig.values()) {
        const list = keptByStorage.get(t.storage) ?? [];
        list.push(t);
        keptByStorage.set(t.storage, list);
      }
      for (const t of orig.values()) {
        tensorCount++;
        const c = conv.get(t.name);
        const kept = declared.get(t.name);
        if (c) {
          addPair(t, c, undefined, pairs, p);
          continue;
        }
        if (kept !== undefined) {
          const k = conv.get(kept);
          if (!k) {
            p.differ(
              t.name,
              'declared-tie',
              `__metadata__ says ${q(t.name)} is ${q(kept)}, which the conversion does not hold`,
            );
            continue;
          }
          ties.push({ removed: t.name, kept });
          addPair(t, k, kept, pairs, p);
          continue;
        }
        const twin = keptByStorage
          .get(t.storage)
          ?.find(
            (o) =>
              o !== t &&
              conv.has(o.name) &&
              o.offset === t.offset &&
              shapeText(o.shape) === shapeText(t.shape),
          );
        if (twin)
          p.differ(
            t.name,
            'undeclared-tie',
            `${q(t.name)} is missing from the conversion; in the checkpoint it shares its storage with ${q(twin.name)}, but __metadata__ does not record the tie, so a loader cannot know to restore it`,
          );
        else
          p.differ(
            t.name,
            'missing',
            `${q(t.name)} ${shapeText(t.shape)} ${t.dtype} is in the checkpoint, not in the conversion`,
          );
      }
      for (const [name, c] of conv) {
        if (orig.has(name)) continue;
        tensorCount++;
        p.differ(
          name,
          'extra',
          `${q(name)} ${shapeText(c.shape)} ${c.dtype} is in the conversion, not in the checkpoint`,
        );
      }
      for (const [removed, kept] of declared)
        if (!orig.has(removed))
          p.differ(
            removed,
            'declared-tie',
            `__metadata__ says ${q(removed)} is ${q(kept)}, but the checkpoint has no ${q(removed)}`,
          );
    }
    if (p.unverifiable && !p.count) return finish();
    // The samples: a window size that fits the budget left, every storage checked, then one plan of reads.
    const sampled = pairs.filter((x) => x.orig.numel > 0);
    const storages = new Map<TorchStorage, Reader>();
    for (const x of sampled) storages.set(x.orig.storage, x.orig.reader);
    const left = budget - cost().bytesRead;
    const overhead = [...storages.keys()].reduce((n, s) => n + headerSpan(s.entry), 0);
    const perWindow = Math.floor((left - overhead) / Math.max(1, 6 * sampled.length));
    if (sampled.length && perWindow < MIN_WINDOW) {
      p.cannot(
        'over-budget',
        `${sampled.length} tensors need at least ${6 * MIN_WINDOW * sampled.length + overhead} bytes of samples; ${Math.max(0, left)} of the ${budget}-byte budget are left after the headers`,
      );
      return finish();
    }
    // A share of what is left goes to the windows themselves, the rest to joining nearby windows into one
    // read (a request saved is worth more than the few bytes between them).
    const window = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, Math.floor(perWindow / WINDOW_SHARE)));
    // Where each storage's bytes start: predicted the way torch's writer places them, confirmed below from
    // the local header, which the same plan reads (it sits between the storage's bytes and its neighbour's).
    const predicted = new Map<TorchStorage, number>();
    for (const [s] of storages) {
      const e = s.entry;
      if (s.countAt !== undefined)
        predicted.set(s, s.countAt + 8); // the legacy format: after its count
      else if (!e) p.cannot('unreadable', `storage ${q(s.key)} has no data/${s.key} member in the archive`);
      else if (e.method !== 0)
        p.cannot(
          'compressed-members',
          `${e.name} is compressed (method ${e.method}); torch.save stores storages uncompressed`,
        );
      else if (!s.itemsize)
        p.cannot(
          'unsupported-tensor',
          `storage ${q(s.key)} is of type ${s.dtype}, which has no safetensors dtype`,
        );
      else if (e.size < s.numel * s.itemsize)
        p.cannot('unreadable', `${e.name} holds ${e.size} bytes, fewer than its ${s.numel} elements need`);
      else predicted.set(s, torchDataOffset(e));
    }
    const windowsAt = (at: Map<TorchStorage, number>, only?: Set<TorchStorage>): Window[] => {
      const out: Window[] = [];
      for (const x of sampled) {
        const base = at.get(x.orig.storage);
        if (base === undefined || (only && !only.has(x.orig.storage))) continue;
        out.push(...windowsOf(x, base, window));
      }
      return out;
    };
    const readWindows = async (windows: Window[], extra: Map<Reader, [number, number][]>, phase: boolean) => {
      const wanted = new Map<Reader, [number, number][]>(extra);
      const want = (r: Reader, range: [number, number]) => {
        if (r.cached(range[0], range[1])) return;
        const list = wanted.get(r) ?? [];
        list.push(range);
        wanted.set(r, list);
      };
      for (const w of windows) {
        want(w.pair.conv.reader, w.conv);
        for (const r of w.orig) want(w.pair.orig.reader, r);
      }
      const planned = [...wanted.values()].reduce((n, list) => n + totalOf(list), 0);
      const reads = plan(wanted, Math.max(0, budget - cost().bytesRead - planned));
      let done = 0;
      await pool(reads, concurrency, async ({ reader, range }) => {
        // A read that fails after its retries (a CDN fault that would not pass) costs only its windows: they
        // are asked once more when compared, and left out if that fails too.
        await reader.read(range[0], range[1]).catch(lostRead);
        if (phase) opts.onProgress?.(++done, reads.length, 'samples');
      });
    };
    const headers = new Map<Reader, [number, number][]>();
    for (const [s, at] of predicted) {
      const r = storages.get(s) as Reader;
      const e = s.entry;
      const list = headers.get(r) ?? [];
      list.push(e ? [e.localOffset, Math.max(at, e.localOffset + headerSpan(e))] : [at - 8, at]);
      headers.set(r, list);
    }
    let windows = windowsAt(predicted);
    await readWindows(windows, headers, true);
    // The local headers, now read: where the data really starts. A writer that aligns otherwise costs reads.
    const actual = new Map<TorchStorage, number>();
    const moved = new Set<TorchStorage>();
    for (const [s, guess] of predicted) {
      const r = storages.get(s) as Reader;
      const at = await (s.entry ? locateData(r, s.entry) : legacyData(r, s)).catch(lostRead);
      if (at === null) continue;
      if (at === undefined)
        p.cannot(
          'unreadable',
          s.entry
            ? `${s.entry.name} has no valid local header`
            : `storage ${q(s.key)}: the element count before its bytes is not the ${s.numel} its tensors need`,
        );
      else {
        actual.set(s, at);
        if (at !== guess) moved.add(s);
      }
    }
    if (moved.size) {
      windows = windows.filter((w) => !moved.has(w.pair.orig.storage));
      const again = windowsAt(actual, moved);
      await readWindows(again, new Map(), false);
      windows.push(...again);
    }
    windows = windows.filter((w) => actual.has(w.pair.orig.storage));
    // Compare what was read.
    const comparedPairs = new Set<Pair>();
    let sampledBytes = 0;
    const flagged = new Set<Pair>();
    let unread = 0;
    for (const w of windows) {
      const { pair } = w;
      const a = await pair.conv.reader.read(w.conv[0], w.conv[1]).catch(lostRead);
      const parts = await Promise.all(w.orig.map(([s, e]) => pair.orig.reader.read(s, e).catch(lostRead)));
      if (a === null || parts.some((x) => x === null)) {
        unread++;
        continue;
      }
      const b = concat(...(parts as Uint8Array[]));
      comparedPairs.add(pair);
      sampledBytes += a.length + b.length;
      opts.onSample?.(pair.conv.path, w.conv[0], w.conv[1]);
      if (flagged.has(pair)) continue;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        const k = Math.floor(i / pair.itemsize);
        const el = w.from + k;
        const slice = (x: Uint8Array) => x.subarray(k * pair.itemsize, (k + 1) * pair.itemsize);
        const where = `${pair.tie ?? pair.name}${indexText(pair.orig.shape, el)}`;
        p.differ(
          pair.name,
          pair.tie ? 'declared-tie' : 'value',
          `${where} is ${elementText(pair.orig.dtype, slice(b))} in the checkpoint${pair.tie ? ` (as ${q(pair.name)})` : ''} and ${elementText(pair.conv.dtype, slice(a))} in the conversion`,
        );
        flagged.add(pair);
        break;
      }
    }
    const missed = sampled.filter((x) => actual.has(x.orig.storage) && !comparedPairs.has(x));
    if (missed.length)
      p.cannot(
        'unreadable',
        `the samples of ${missed.length} tensor(s) could not be read (${unread} window(s) failed after retries; first: ${q(missed[0]?.name ?? '')})`,
      );
    unreadSamples = unread;
    return finish(comparedPairs.size, sampledBytes);
  } catch (e) {
    // A read the transport failed (gated, rate-limited, offline): nothing can be said of the conversion.
    if (!(e instanceof ReadError)) throw e;
    const err = e;
    p.differences = [];
    p.count = 0;
    p.unverifiable =
      err.causeCode === 'gated'
        ? { code: 'gated', message: `the repo is gated and this user has no access: ${err.message}` }
        : { code: 'unreadable', message: `a file could not be read: ${err.message}` };
    return finish();
  }

  function finish(compared = 0, sampledBytes = 0): VerifyReport {
    const verdict: VerifyVerdict = p.count
      ? 'differs'
      : p.unverifiable
        ? 'unverifiable'
        : ties.length
          ? 'equivalent-with-ties'
          : 'equivalent';
    return {
      verdict,
      tensors: tensorCount,
      compared,
      sampledBytes,
      coverage: convertedBytes ? sampledBytes / 2 / convertedBytes : 0,
      differences: p.differences,
      differenceCount: p.count,
      ties,
      ...(unwrapped ? { unwrapped } : {}),
      ...(unreadSamples ? { unreadSamples } : {}),
      ...(verdict === 'unverifiable' && p.unverifiable
        ? { reason: p.unverifiable.message, reasonCode: p.unverifiable.code }
        : {}),
      ...cost(),
      files,
    };
  }
}

function addPair(t: OrigTensor, c: ConvTensor, tie: string | undefined, pairs: Pair[], p: Problems): void {
  const kind = tie ? 'declared-tie' : undefined;
  const as = tie ? ` (declared a copy of ${q(tie)})` : '';
  if (t.dtype !== c.dtype) {
    p.differ(
      t.name,
      kind ?? 'dtype',
      `${q(t.name)}${as} is ${t.dtype} in the checkpoint, ${c.dtype} in the conversion`,
    );
    return;
  }
  if (shapeText(t.shape) !== shapeText(c.shape)) {
    p.differ(
      t.name,
      kind ?? 'shape',
      `${q(t.name)}${as} is ${shapeText(t.shape)} in the checkpoint, ${shapeText(c.shape)} in the conversion`,
    );
    return;
  }
  const itemsize = dtypeBytes(c.dtype);
  if (!itemsize || t.storage.itemsize !== itemsize) {
    p.cannot('unsupported-tensor', `${q(t.name)} is ${t.dtype}, whose elements are not whole bytes`);
    return;
  }
  const last = t.shape.reduce((n, d, i) => n + (d - 1) * (t.stride[i] ?? 0), t.offset);
  if (t.numel > 0 && (t.offset < 0 || last >= t.storage.numel || t.stride.some((s) => s < 0))) {
    p.cannot('unreadable', `${q(t.name)} reaches past its storage in the checkpoint`);
    return;
  }
  pairs.push({ name: t.name, orig: t, conv: c, tie, itemsize });
}

/** The sharded conversion's index against the shards: every file it names held, every tensor where it says. */
function checkIndex(
  index: { path: string; text: string },
  conv: Map<string, ConvTensor>,
  declared: Map<string, string>,
  converted: VerifyFile[],
  p: Problems,
  files: VerifyReport['files'],
): void {
  files.push({ path: index.path, role: 'index' });
  let map: unknown;
  try {
    map = (JSON.parse(index.text) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    p.differ(index.path, 'index', `${index.path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    p.differ(index.path, 'index', `${index.path} has no weight_map`);
    return;
  }
  const dir = dirName(index.path);
  const held = new Set(converted.map((f) => f.path));
  const missingFiles = new Map<string, number>();
  const named = new Set<string>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    named.add(name);
    const path = `${dir}${String(file)}`;
    if (!held.has(path)) {
      missingFiles.set(path, (missingFiles.get(path) ?? 0) + 1);
      continue;
    }
    const c = conv.get(name);
    if (c && c.path !== path)
      p.differ(
        name,
        'index',
        `${baseName(index.path)} says ${q(name)} is in ${baseName(path)}; it is in ${baseName(c.path)}`,
      );
    if (!c && !declared.has(name))
      p.differ(name, 'index', `${baseName(index.path)} names ${q(name)}, which no shard holds`);
  }
  for (const [path, n] of missingFiles)
    p.differ(
      path,
      'index',
      `${baseName(index.path)} names ${baseName(path)} (for ${n} tensor(s)), which the pull request does not hold`,
    );
  for (const [name, c] of conv)
    if (!named.has(name))
      p.differ(
        name,
        'index',
        `${q(name)} is in ${baseName(c.path)} but not in ${baseName(index.path)}, so a loader that follows the index never reads it`,
      );
}
