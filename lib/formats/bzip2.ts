// bzip2 streams, decoded forward (what joblib's 'bz2' compressor and pandas' .bz2 pickles are). Format as
// bzip2 1.0's decompress.c and huffman.c decode it (facts; the code here is written for this engine): "BZh"
// and a block size, then bit-packed blocks — a symbol map, Huffman tables chosen per 50 symbols, MTF and
// zero-run coding, the inverse Burrows–Wheeler transform, then runs of 4 equal bytes and a count — and an
// end-of-stream mark. Not checked: the block and stream CRCs. A block's input is decoded once it is all
// here (a block is at most ~1 MB packed); its output leaves in pieces.
import { concat } from './bytes';
import type { PushDecoder } from './lzma';

class Bzip2Error extends Error {}
/** The block's input is not all here yet: decoded again from its start when more has come. */
const SHORT = new Bzip2Error('short');

const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
const MAX_GROUPS = 6;
const GROUP_SIZE = 50;
const MAX_CODE_LEN = 20;
const MAX_ALPHA = 258;
/** Output handed on per piece. */
const OUT_PIECE = 1 << 20;

class Bits {
  /** Position in bits. */
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly final: boolean,
  ) {}

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.pos >>> 3];
      if (byte === undefined)
        throw this.final ? new Bzip2Error('the bzip2 stream ends inside a block') : SHORT;
      v = (v << 1) | ((byte >>> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v >>> 0;
  }

  bit(): number {
    return this.bits(1);
  }
}

/** One group's canonical Huffman decoding tables (limit, base, perm), as huffman.c builds them. */
interface Table {
  limit: Int32Array;
  base: Int32Array;
  perm: Int32Array;
  minLen: number;
}

function table(lengths: Uint8Array, alphaSize: number): Table {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < alphaSize; i++) {
    const l = lengths[i] ?? 0;
    minLen = Math.min(minLen, l);
    maxLen = Math.max(maxLen, l);
  }
  const perm = new Int32Array(MAX_ALPHA);
  const base = new Int32Array(MAX_CODE_LEN + 2);
  const limit = new Int32Array(MAX_CODE_LEN + 1);
  let pp = 0;
  for (let i = minLen; i <= maxLen; i++)
    for (let j = 0; j < alphaSize; j++) if (lengths[j] === i) perm[pp++] = j;
  for (let i = 0; i < alphaSize; i++) {
    const at = (lengths[i] ?? 0) + 1;
    base[at] = (base[at] ?? 0) + 1;
  }
  for (let i = 1; i < base.length; i++) base[i] = (base[i] ?? 0) + (base[i - 1] ?? 0);
  let vec = 0;
  for (let i = minLen; i <= maxLen; i++) {
    vec += (base[i + 1] ?? 0) - (base[i] ?? 0);
    limit[i] = vec - 1;
    vec <<= 1;
  }
  for (let i = minLen + 1; i <= maxLen; i++) base[i] = (((limit[i - 1] ?? 0) + 1) << 1) - (base[i] ?? 0);
  return { limit, base, perm, minLen };
}

function decodeSymbol(b: Bits, t: Table): number {
  let n = t.minLen;
  let v = b.bits(n);
  while (n <= MAX_CODE_LEN && v > (t.limit[n] ?? -1)) {
    n++;
    v = (v << 1) | b.bit();
  }
  if (n > MAX_CODE_LEN) throw new Bzip2Error('a bzip2 Huffman code past 20 bits');
  const sym = t.perm[v - (t.base[n] ?? 0)];
  if (sym === undefined || v - (t.base[n] ?? 0) < 0) throw new Bzip2Error('a bad bzip2 Huffman code');
  return sym;
}

export class Bzip2Decoder implements PushDecoder {
  private input: Uint8Array = new Uint8Array(0);
  /** Where the next block (or the stream header) starts, in bits. */
  private bitPos = 0;
  private blockSize = 0;
  private done = false;
  readonly pending = false;
  private tt = new Uint32Array(0);

  constructor(private readonly ondata: (chunk: Uint8Array, final: boolean) => void) {}

  push(chunk: Uint8Array, final: boolean): void {
    if (this.done) return;
    const drop = this.bitPos >>> 3;
    this.input = concat(this.input.subarray(drop), chunk);
    this.bitPos -= drop * 8;
    // A block is tried once enough has come for the largest one (or all has): few tries are cut short.
    const enough = this.blockSize ? this.blockSize + (this.blockSize >>> 3) + 4096 : 4;
    if (!final && this.input.length - (this.bitPos >>> 3) < enough) return;
    try {
      while (!this.done) this.next(final);
    } catch (e) {
      if (e !== SHORT) throw e;
    }
    if (this.done) this.ondata(new Uint8Array(0), true);
  }

  /** The stream header, one block, or the end of the stream; state moves only once it decoded whole. */
  private next(final: boolean): void {
    const b = new Bits(this.input, final);
    b.pos = this.bitPos;
    if (!this.blockSize) {
      if (b.bits(8) !== 0x42 || b.bits(8) !== 0x5a || b.bits(8) !== 0x68)
        throw new Bzip2Error('not a bzip2 stream');
      const level = b.bits(8) - 0x30;
      if (level < 1 || level > 9) throw new Bzip2Error(`a bzip2 block size of ${level}`);
      this.blockSize = level * 100_000;
      this.tt = new Uint32Array(this.blockSize);
      this.bitPos = b.pos;
      return;
    }
    const hi = b.bits(24);
    const lo = b.bits(24);
    if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
      b.bits(32); // the stream's CRC
      this.bitPos = b.pos;
      this.done = true;
      return;
    }
    if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO)
      throw new Bzip2Error('a bzip2 block without its magic');
    const out = this.block(b);
    this.bitPos = b.pos;
    for (let i = 0; i < out.length; i += OUT_PIECE) this.ondata(out.slice(i, i + OUT_PIECE), false);
  }

  private block(b: Bits): Uint8Array {
    b.bits(32); // the block's CRC
    if (b.bit()) throw new Bzip2Error('a randomised bzip2 block (bzip2 0.9.0; not decoded here)');
    const origPtr = b.bits(24);
    // The symbol map: which of the 256 byte values the block uses.
    const seqToUnseq: number[] = [];
    const used16 = b.bits(16);
    for (let i = 0; i < 16; i++)
      if (used16 & (0x8000 >>> i)) {
        const bits = b.bits(16);
        for (let j = 0; j < 16; j++) if (bits & (0x8000 >>> j)) seqToUnseq.push(i * 16 + j);
      }
    if (!seqToUnseq.length) throw new Bzip2Error('a bzip2 block that uses no byte');
    const alphaSize = seqToUnseq.length + 2;
    const nGroups = b.bits(3);
    const nSelectors = b.bits(15);
    if (nGroups < 2 || nGroups > MAX_GROUPS || nSelectors < 1)
      throw new Bzip2Error('bad bzip2 Huffman groups');
    // Selectors, MTF-coded in unary.
    const mtfGroups = Array.from({ length: nGroups }, (_, i) => i);
    const selectors = new Uint8Array(nSelectors);
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (b.bit()) if (++j >= nGroups) throw new Bzip2Error('a bad bzip2 selector');
      const v = mtfGroups[j] ?? 0;
      mtfGroups.splice(j, 1);
      mtfGroups.unshift(v);
      selectors[i] = v;
    }
    // Code lengths, delta-coded, and each group's tables.
    const tables: Table[] = [];
    for (let t = 0; t < nGroups; t++) {
      const lengths = new Uint8Array(alphaSize);
      let curr = b.bits(5);
      for (let i = 0; i < alphaSize; i++) {
        for (;;) {
          if (curr < 1 || curr > MAX_CODE_LEN) throw new Bzip2Error('a bad bzip2 code length');
          if (!b.bit()) break;
          curr += b.bit() ? -1 : 1;
        }
        lengths[i] = curr;
      }
      tables.push(table(lengths, alphaSize));
    }
    // The MTF and zero-run coded symbols, into tt (low byte: the byte), counting each byte.
    const tt = this.tt;
    const counts = new Int32Array(256);
    const mtf = seqToUnseq.map((_, i) => i);
    const eob = alphaSize - 1;
    let n = 0;
    let group = -1;
    let left = 0;
    let run = 0;
    let runWeight = 1;
    const flushRun = () => {
      if (!run) return;
      const byte = seqToUnseq[mtf[0] ?? 0] ?? 0;
      if (n + run > this.blockSize) throw new Bzip2Error('a bzip2 block longer than its size');
      counts[byte] = (counts[byte] ?? 0) + run;
      tt.fill(byte, n, n + run);
      n += run;
      run = 0;
      runWeight = 1;
    };
    for (;;) {
      if (left === 0) {
        if (++group >= nSelectors) throw new Bzip2Error('a bzip2 block past its selectors');
        left = GROUP_SIZE;
      }
      left--;
      const sym = decodeSymbol(b, tables[selectors[group] ?? 0] as Table);
      if (sym <= 1) {
        // RUNA, RUNB: a run length in bijective base 2.
        run += (sym + 1) * runWeight;
        runWeight *= 2;
        if (run > this.blockSize) throw new Bzip2Error('a bzip2 run longer than the block');
        continue;
      }
      flushRun();
      if (sym === eob) break;
      const idx = sym - 1;
      const v = mtf[idx] ?? 0;
      mtf.splice(idx, 1);
      mtf.unshift(v);
      const byte = seqToUnseq[v] ?? 0;
      if (n >= this.blockSize) throw new Bzip2Error('a bzip2 block longer than its size');
      counts[byte] = (counts[byte] ?? 0) + 1;
      tt[n++] = byte;
    }
    if (origPtr >= n) throw new Bzip2Error('a bzip2 origin pointer past the block');
    // The inverse Burrows–Wheeler transform: each entry gains the index of the next (above its byte).
    const cftab = new Int32Array(256);
    for (let i = 0, sum = 0; i < 256; i++) {
      cftab[i] = sum;
      sum += counts[i] ?? 0;
    }
    for (let i = 0; i < n; i++) {
      const c = (tt[i] ?? 0) & 0xff;
      const at = cftab[c] ?? 0;
      tt[at] = ((tt[at] ?? 0) | (i << 8)) >>> 0;
      cftab[c] = at + 1;
    }
    // Then the first run-length stage undone: four equal bytes are followed by a count of more.
    let buf = new Uint8Array(n + 1024);
    let o = 0;
    const put = (byte: number) => {
      if (o === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      buf[o++] = byte;
    };
    let pos = (tt[origPtr] ?? 0) >>> 8;
    let last = -1;
    let same = 0;
    for (let k = 0; k < n; k++) {
      const entry = tt[pos] ?? 0;
      const byte = entry & 0xff;
      pos = entry >>> 8;
      if (same === 4) {
        for (let r = 0; r < byte; r++) put(last);
        same = 0;
        last = -1;
        continue;
      }
      if (byte === last) same++;
      else {
        last = byte;
        same = 1;
      }
      put(byte);
    }
    return buf.subarray(0, o);
  }
}
