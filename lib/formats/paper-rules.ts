// The study's rules R1–R5 (DESIGN.md), applied in order exactly as written, even where they are wrong.
// The evidence is gathered by the format modules from the bytes they read: R5's substrings are searched in
// every byte the engine reads (the head and every pickle region it walks), not in payloads it skips.
import { ascii, concat, startsWith } from './bytes';
import type { PaperLabel } from './types';

export interface PaperEvidence {
  head: Uint8Array;
  /** R3: the first 8 bytes are n and the next n bytes are well-formed JSON. */
  safetensorsJson: boolean;
  /** R4: entry names, when the file starts with PK\x03\x04. */
  zipEntries?: string[];
  /** R4: an entry starts with \x93NUMPY after decompression. */
  zipHasNumpyEntry?: boolean;
  substrings: SubstringScanner;
}

const NEEDLES = {
  dill: ascii('dill._dill\x94\x8c'),
  joblib: ascii('joblib'),
  littleEndian: ascii('little_endian'),
  protocolVersion: ascii('protocol_version'),
} as const;
type Needle = keyof typeof NEEDLES;
const NEEDLE_KEYS = Object.keys(NEEDLES) as Needle[];
const OVERLAP = 16;

/**
 * A byte search for the needles. In Node, Buffer#indexOf is a native memmem; elsewhere (the browser) a
 * single-byte decode lets the native string search do it. (WHATWG's "latin1" is windows-1252, which maps
 * 0x80–0x9F elsewhere; decoding the needles with the same decoder keeps the one-to-one mapping.)
 */
type ByteSearch = (hay: Uint8Array, key: Needle) => boolean;
const NodeBuffer = (
  globalThis as {
    Buffer?: { from(b: ArrayBufferLike, o: number, l: number): { indexOf(n: Uint8Array): number } };
  }
).Buffer;
const SINGLE_BYTE = new TextDecoder('latin1');
const NEEDLE_TEXT = Object.fromEntries(NEEDLE_KEYS.map((k) => [k, SINGLE_BYTE.decode(NEEDLES[k])])) as Record<
  Needle,
  string
>;
export const decoderSearch: ByteSearch = (hay, key) => SINGLE_BYTE.decode(hay).includes(NEEDLE_TEXT[key]);
export const bufferSearch: ByteSearch | undefined = NodeBuffer
  ? (hay, key) => NodeBuffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(NEEDLES[key]) >= 0
  : undefined;

/** Remembers which R5 substrings occur in the bytes fed to it, across contiguous chunk boundaries. */
export class SubstringScanner {
  private found = new Set<Needle>();
  private seen = new Set<number>();
  private tail = new Uint8Array(0);
  private lastEnd = -1;

  constructor(private readonly search: ByteSearch = bufferSearch ?? decoderSearch) {}

  feed(bytes: Uint8Array, offset: number): void {
    // The same region can be fed twice (the head, then a walk over it): each chunk start counts once.
    if (this.seen.has(offset) || this.found.size === NEEDLE_KEYS.length) return;
    this.seen.add(offset);
    // A needle split across two contiguous chunks: search the seam, the tail of one with the next's head.
    const seam = offset === this.lastEnd ? concat(this.tail, bytes.subarray(0, OVERLAP)) : undefined;
    for (const key of NEEDLE_KEYS) {
      if (!this.found.has(key) && (this.search(bytes, key) || (seam !== undefined && this.search(seam, key))))
        this.found.add(key);
    }
    this.tail = bytes.slice(Math.max(0, bytes.length - OVERLAP));
    this.lastEnd = offset + bytes.length;
  }

  has(key: Needle): boolean {
    return this.found.has(key);
  }
}

export function paperLabel(e: PaperEvidence): PaperLabel {
  const h = e.head;
  if (startsWith(h, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'numpy'; // R1
  if (startsWith(h, [0x89, 0x48, 0x44, 0x46])) return 'hdf5'; // R2
  if (e.safetensorsJson) return 'safetensors'; // R3
  if (startsWith(h, [0x50, 0x4b, 0x03, 0x04])) {
    // R4
    const names = e.zipEntries ?? [];
    if (
      names.some(
        (n) => n === 'constants.pkl' || n.endsWith('/constants.pkl') || /(^|\/)code\/__torch__(\/|$)/.test(n),
      )
    )
      return 'torch.jit';
    if (e.zipHasNumpyEntry) return 'numpy';
    return 'torch.save';
  }
  if (h[0] === 0x80) {
    // R5
    if (e.substrings.has('dill')) return 'dill';
    if (e.substrings.has('joblib')) return 'joblib';
    if (e.substrings.has('littleEndian') && e.substrings.has('protocolVersion')) return 'pytorch';
    return 'pickle';
  }
  return 'unknown';
}
