// LZMA decoding, forward and bounded, for the streams joblib and pandas write: `.xz` (LZMA2 chunks in
// blocks; xz-file-format.txt 1.1.0) and `.lzma` "alone" (a 13-byte header, then one LZMA stream). The LZMA
// decoder follows the LZMA specification (lzma-specification.txt and LzmaSpec.cpp of the LZMA SDK, public
// domain): a range coder, adaptive bit models, literal/match/rep packets over a sliding dictionary. LZMA2
// chunk framing as in xz-embedded's xz_dec_lzma2.c (public domain). Not checked: the integrity checks
// (CRC32, CRC64, SHA-256) — a corrupt stream decodes to wrong bytes or fails; nothing here trusts what it
// decodes. Input is pushed in pieces; output leaves in pieces through `ondata`, at most OUT_PER_PUSH per
// push, so a small input that expands hugely never sits in memory whole.

import { concat } from './bytes';

/** Output produced per push at most; the rest waits for the next push (an empty one is enough). */
const OUT_PER_PUSH = 1 << 20;
/** A window larger than this is refused: the dictionary is the decoder's memory. */
export const MAX_DICTIONARY = 64 * 1024 * 1024;
/** Input bytes one LZMA packet can consume at most (its bits, each renormalisation one byte), with margin. */
const PACKET_INPUT = 64;

class LzmaError extends Error {}

const NUM_STATES = 12;
const POS_BITS_MAX = 4;
const END_POS_MODEL_INDEX = 14;
const NUM_FULL_DISTANCES = 128;
const NUM_ALIGN_BITS = 4;
const MATCH_MIN_LEN = 2;
const PROB_INIT = 1024;

/** The sliding window: what was decoded, for matches to copy from; what is new leaves through `emit`. */
class Window {
  readonly buf: Uint8Array;
  pos = 0;
  full = false;
  /** Bytes since the last dictionary reset (position state and literal context count from there). */
  total = 0;
  private flushed = 0;

  constructor(
    size: number,
    private readonly emit: (bytes: Uint8Array) => void,
  ) {
    this.buf = new Uint8Array(size);
  }

  reset(): void {
    this.flush();
    this.pos = 0;
    this.flushed = 0;
    this.full = false;
    this.total = 0;
  }

  put(b: number): void {
    this.buf[this.pos++] = b;
    this.total++;
    if (this.pos === this.buf.length) {
      this.flush();
      this.pos = 0;
      this.flushed = 0;
      this.full = true;
    }
  }

  /** The byte `dist` back (1: the last one). */
  get(dist: number): number {
    return this.buf[dist <= this.pos ? this.pos - dist : this.buf.length - dist + this.pos] ?? 0;
  }

  has(dist: number): boolean {
    return dist <= this.pos || (this.full && dist <= this.buf.length);
  }

  copy(dist: number, len: number): void {
    for (let i = 0; i < len; i++) this.put(this.get(dist));
  }

  get empty(): boolean {
    return this.pos === 0 && !this.full;
  }

  flush(): void {
    if (this.pos > this.flushed) this.emit(this.buf.slice(this.flushed, this.pos));
    this.flushed = this.pos;
  }
}

/** The range decoder over an input array, from `at`. */
class RangeDecoder {
  range = 0;
  code = 0;
  at = 0;
  input: Uint8Array = new Uint8Array(0);

  init(input: Uint8Array, at: number): void {
    this.input = input;
    if ((input[at] ?? 1) !== 0) throw new LzmaError('a range coder that does not start with 0');
    this.code =
      (((input[at + 1] ?? 0) << 24) |
        ((input[at + 2] ?? 0) << 16) |
        ((input[at + 3] ?? 0) << 8) |
        (input[at + 4] ?? 0)) >>>
      0;
    this.range = 0xffffffff;
    this.at = at + 5;
    if (this.code === this.range) throw new LzmaError('a corrupt range coder start');
  }

  private next(): number {
    return this.input[this.at++] ?? 0;
  }

  bit(probs: Uint16Array, i: number): number {
    const p = probs[i] ?? PROB_INIT;
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[i] = p - (p >>> 5);
      bit = 1;
    }
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
    return bit;
  }

  direct(n: number): number {
    let res = 0;
    for (let i = 0; i < n; i++) {
      this.range >>>= 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      res = res * 2 + b;
      if (this.range < 0x1000000) {
        this.range = (this.range << 8) >>> 0;
        this.code = ((this.code << 8) | this.next()) >>> 0;
      }
    }
    return res;
  }

  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }

  reverse(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(probs, base + m);
      m = (m << 1) | b;
      sym |= b << i;
    }
    return sym;
  }
}

/** A length coder: choice bits, then 8 low, 8 mid (per position state) or 256 high lengths. */
class LengthDecoder {
  readonly probs = new Uint16Array(2 + (2 << POS_BITS_MAX) * 8 + 256);

  reset(): void {
    this.probs.fill(PROB_INIT);
  }

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.probs, 0) === 0) return rc.tree(this.probs, 2 + posState * 8, 3);
    if (rc.bit(this.probs, 1) === 0) return 8 + rc.tree(this.probs, 2 + (16 + posState) * 8, 3);
    return 16 + rc.tree(this.probs, 2 + 32 * 8, 8);
  }
}

/** One LZMA decoder: its properties, probabilities, state and reps, over a window it writes to. */
class Lzma {
  lc = 0;
  lp = 0;
  pb = 0;
  private literals = new Uint16Array(0x300);
  private readonly isMatch = new Uint16Array(NUM_STATES << POS_BITS_MAX);
  private readonly isRep = new Uint16Array(NUM_STATES);
  private readonly isRepG0 = new Uint16Array(NUM_STATES);
  private readonly isRepG1 = new Uint16Array(NUM_STATES);
  private readonly isRepG2 = new Uint16Array(NUM_STATES);
  private readonly isRep0Long = new Uint16Array(NUM_STATES << POS_BITS_MAX);
  private readonly posSlot = new Uint16Array(4 << 6);
  private readonly posDecoders = new Uint16Array(1 + NUM_FULL_DISTANCES - END_POS_MODEL_INDEX);
  private readonly align = new Uint16Array(1 << NUM_ALIGN_BITS);
  private readonly len = new LengthDecoder();
  private readonly repLen = new LengthDecoder();
  state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** A match cut short by the output asked for (LZMA2 chunk end, or the per-push bound): bytes still due. */
  pendingLen = 0;

  constructor(
    readonly dict: Window,
    readonly rc: RangeDecoder,
  ) {}

  /** The properties byte: lc, lp, pb (lzma-specification.txt 1.1). */
  setProps(d: number): void {
    if (d >= 9 * 5 * 5) throw new LzmaError(`bad LZMA properties ${d}`);
    this.lc = d % 9;
    this.lp = Math.floor(d / 9) % 5;
    this.pb = Math.floor(d / 45);
    if (this.literals.length !== 0x300 << (this.lc + this.lp))
      this.literals = new Uint16Array(0x300 << (this.lc + this.lp));
  }

  reset(): void {
    for (const p of [
      this.literals,
      this.isMatch,
      this.isRep,
      this.isRepG0,
      this.isRepG1,
      this.isRepG2,
      this.isRep0Long,
      this.posSlot,
      this.posDecoders,
      this.align,
    ])
      p.fill(PROB_INIT);
    this.len.reset();
    this.repLen.reset();
    this.state = this.rep0 = this.rep1 = this.rep2 = this.rep3 = this.pendingLen = 0;
  }

  private literal(): void {
    const w = this.dict;
    const prev = w.empty ? 0 : w.get(1);
    const litState = ((w.total & ((1 << this.lp) - 1)) << this.lc) + (prev >>> (8 - this.lc));
    const base = 0x300 * litState;
    let sym = 1;
    if (this.state >= 7) {
      let match = w.get(this.rep0 + 1);
      do {
        const matchBit = (match >>> 7) & 1;
        match <<= 1;
        const bit = this.rc.bit(this.literals, base + ((1 + matchBit) << 8) + sym);
        sym = (sym << 1) | bit;
        if (matchBit !== bit) break;
      } while (sym < 0x100);
    }
    while (sym < 0x100) sym = (sym << 1) | this.rc.bit(this.literals, base + sym);
    w.put(sym - 0x100);
  }

  private distance(len: number): number {
    const lenState = Math.min(len, 3);
    const slot = this.rc.tree(this.posSlot, lenState << 6, 6);
    if (slot < 4) return slot;
    const direct = (slot >>> 1) - 1;
    let dist = (2 | (slot & 1)) * 2 ** direct;
    if (slot < END_POS_MODEL_INDEX) return dist + this.rc.reverse(this.posDecoders, dist - slot, direct);
    dist += this.rc.direct(direct - NUM_ALIGN_BITS) * 2 ** NUM_ALIGN_BITS;
    return dist + this.rc.reverse(this.align, 0, NUM_ALIGN_BITS);
  }

  private copyPending(limit: number): number {
    const n = Math.min(this.pendingLen, limit);
    this.dict.copy(this.rep0 + 1, n);
    this.pendingLen -= n;
    return n;
  }

  /**
   * Decodes until `outLimit` bytes were written, the input runs short of a packet (`inputEnd`, unless
   * `final`), or the end marker. Returns the bytes written and whether the end marker was met.
   */
  run(outLimit: number, inputEnd: number, final: boolean): { written: number; end: boolean } {
    const w = this.dict;
    const rc = this.rc;
    let written = this.copyPending(outLimit);
    while (written < outLimit) {
      if (!final && rc.at + PACKET_INPUT > inputEnd) break;
      if (rc.at > inputEnd + 4) throw new LzmaError('the LZMA stream ends in the middle of a packet');
      const posState = w.total & ((1 << this.pb) - 1);
      const s = this.state;
      if (rc.bit(this.isMatch, (s << POS_BITS_MAX) + posState) === 0) {
        this.literal();
        this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
        written++;
        continue;
      }
      let len: number;
      if (rc.bit(this.isRep, s) !== 0) {
        if (w.empty) throw new LzmaError('a repeated match before any output');
        if (rc.bit(this.isRepG0, s) === 0) {
          if (rc.bit(this.isRep0Long, (s << POS_BITS_MAX) + posState) === 0) {
            this.state = s < 7 ? 9 : 11;
            w.put(w.get(this.rep0 + 1));
            written++;
            continue;
          }
        } else {
          let dist: number;
          if (rc.bit(this.isRepG1, s) === 0) dist = this.rep1;
          else {
            if (rc.bit(this.isRepG2, s) === 0) dist = this.rep2;
            else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.repLen.decode(rc, posState);
        this.state = s < 7 ? 8 : 11;
      } else {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.len.decode(rc, posState);
        this.state = s < 7 ? 7 : 10;
        this.rep0 = this.distance(len);
        if (this.rep0 === 0xffffffff) return { written, end: true };
        if (this.rep0 >= w.buf.length || !w.has(this.rep0 + 1))
          throw new LzmaError(`a match ${this.rep0 + 1} bytes back, before the data`);
      }
      this.pendingLen = len + MATCH_MIN_LEN;
      written += this.copyPending(outLimit - written);
    }
    return { written, end: false };
  }
}

/** What a stream decoder offers DecompressedSource (compressed.ts), as fflate's streams do. */
export interface PushDecoder {
  push(chunk: Uint8Array, final: boolean): void;
  /** Input is waiting that a push with nothing new would decode further. */
  readonly pending: boolean;
}

/** Both containers: input gathered in one buffer (consumed bytes dropped), output through the dictionary window (`dict`). */
abstract class Container implements PushDecoder {
  protected input: Uint8Array = new Uint8Array(0);
  protected at = 0;
  protected final = false;
  protected done = false;
  protected dict: Window | undefined;
  protected lzma: Lzma | undefined;
  pending = false;

  constructor(protected readonly ondata: (chunk: Uint8Array, final: boolean) => void) {}

  protected open(dictSize: number): Lzma {
    if (dictSize > MAX_DICTIONARY)
      throw new LzmaError(`a ${dictSize}-byte dictionary, over the ${MAX_DICTIONARY} this decoder allows`);
    if (!this.dict || this.dict.buf.length < dictSize) {
      this.dict = new Window(Math.max(dictSize, 4096), (b) => this.ondata(b, false));
      this.lzma = new Lzma(this.dict, new RangeDecoder());
    }
    return this.lzma as Lzma;
  }

  push(chunk: Uint8Array, final: boolean): void {
    if (this.done) return;
    const joined = concat(this.input.subarray(this.at), chunk);
    // Positions into the input move with it: what was before `at` is gone.
    this.shift(this.at);
    if (this.lzma) {
      this.lzma.rc.at -= this.at;
      this.lzma.rc.input = joined;
    }
    this.input = joined;
    this.at = 0;
    this.final ||= final;
    try {
      this.pending = this.decode(OUT_PER_PUSH);
    } finally {
      this.dict?.flush(); // what decoded before a failure is still handed on
    }
    if (this.done) this.ondata(new Uint8Array(0), true);
    else if (this.final && !this.pending) throw new LzmaError('the stream ends before its end');
  }

  /** Decodes what it can; true when it stopped at the output bound with input still waiting. */
  protected abstract decode(outLimit: number): boolean;

  /** The first `n` input bytes are dropped: positions the container keeps move back by n. */
  protected shift(n: number): void {
    void n;
  }

  protected avail(n: number): boolean {
    return this.at + n <= this.input.length;
  }
}

/** `.lzma` (LZMA "alone"): properties, dictionary size, uncompressed size (all ones: unknown, an end marker). */
export class LzmaAloneDecoder extends Container {
  private remaining = -1;

  protected decode(outLimit: number): boolean {
    if (!this.lzma) {
      if (!this.avail(13 + 5)) return false;
      const h = this.input;
      const dict = ((h[1] ?? 0) | ((h[2] ?? 0) << 8) | ((h[3] ?? 0) << 16) | ((h[4] ?? 0) << 24)) >>> 0;
      const unknown = h.subarray(5, 13).every((b) => b === 0xff);
      this.remaining = unknown
        ? -1
        : (h[5] ?? 0) +
          (h[6] ?? 0) * 256 +
          (h[7] ?? 0) * 65536 +
          (h[8] ?? 0) * 2 ** 24 +
          (h[9] ?? 0) * 2 ** 32 +
          (h[10] ?? 0) * 2 ** 40;
      const lzma = this.open(Math.max(dict, 4096));
      lzma.setProps(h[0] ?? 0);
      lzma.reset();
      lzma.rc.init(h, 13);
      this.at = 13;
    }
    const lzma = this.lzma as Lzma;
    let produced = 0;
    while (produced < outLimit) {
      const want = this.remaining < 0 ? outLimit - produced : Math.min(outLimit - produced, this.remaining);
      if (want === 0) {
        this.done = true;
        break;
      }
      const r = lzma.run(want, this.input.length, this.final);
      produced += r.written;
      if (this.remaining >= 0) this.remaining -= r.written;
      if (r.end) {
        this.done = true;
        break;
      }
      if (r.written === 0) break;
    }
    this.at = Math.min(lzma.rc.at, this.input.length);
    return !this.done && produced >= outLimit;
  }
}

/** `.xz`: stream header, blocks of LZMA2 chunks (the only filter accepted), index and footer. */
export class XzDecoder extends Container {
  protected stage: 'header' | 'block' | 'chunks' | 'lzma-chunk' | 'stored-chunk' = 'header';
  private chunkLeft = 0;
  private packedEnd = 0;
  private checkSize = 0;
  /** Compressed bytes of the current block so far (its padding makes header and data a multiple of 4). */
  private blockBytes = 0;
  private needProps = true;
  private needDictReset = true;

  /** A raw LZMA2 stream (no xz container), as 7z packs it: its dictionary size comes from elsewhere. */
  protected raw = false;

  protected override shift(n: number): void {
    this.packedEnd -= n;
  }

  protected decode(outLimit: number): boolean {
    let produced = 0;
    for (;;) {
      if (this.stage === 'header') {
        if (!this.avail(12)) return false;
        const h = this.input.subarray(this.at, this.at + 12);
        if (h[0] !== 0xfd || h[1] !== 0x37 || h[2] !== 0x7a || h[3] !== 0x58 || h[4] !== 0x5a || h[5] !== 0)
          throw new LzmaError('not an xz stream');
        this.checkSize = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64][(h[7] ?? 0) & 0x0f] ?? 0;
        this.at += 12;
        this.stage = 'block';
      } else if (this.stage === 'block') {
        if (!this.avail(1)) return false;
        const size = this.input[this.at] ?? 0;
        if (size === 0) {
          // The index: the blocks are over; what follows (index, footer, padding) is not output.
          this.done = true;
          return false;
        }
        const headerSize = (size + 1) * 4;
        if (!this.avail(headerSize)) return false;
        const bh = this.input.subarray(this.at, this.at + headerSize);
        const flags = bh[1] ?? 0;
        if ((flags & 0x03) !== 0)
          throw new LzmaError('an xz block with more than one filter (not decoded here)');
        let p = 2;
        const varint = () => {
          let v = 0;
          for (let i = 0; i < 9; i++) {
            const b = bh[p++] ?? 0;
            v += (b & 0x7f) * 2 ** (7 * i);
            if (!(b & 0x80)) return v;
          }
          throw new LzmaError('a bad xz number');
        };
        if (flags & 0x40) varint();
        if (flags & 0x80) varint();
        if (varint() !== 0x21) throw new LzmaError('an xz filter other than LZMA2 (not decoded here)');
        if (varint() !== 1) throw new LzmaError('bad LZMA2 filter properties');
        const d = bh[p] ?? 0;
        if (d > 40) throw new LzmaError('a bad LZMA2 dictionary size');
        const dictSize = d === 40 ? 0xffffffff : (2 | (d & 1)) * 2 ** (Math.floor(d / 2) + 11);
        this.open(dictSize); // the block's first chunk resets the dictionary (needDictReset)
        this.needProps = true;
        this.needDictReset = true;
        this.at += headerSize;
        this.blockBytes = 0;
        this.stage = 'chunks';
      } else if (this.stage === 'chunks') {
        if (!this.avail(1)) return false;
        const c = this.input[this.at] ?? 0;
        const lzma = this.lzma as Lzma;
        if (c === 0 && this.raw) {
          this.done = true; // a raw LZMA2 stream ends with its end chunk
          return false;
        }
        if (c === 0) {
          // The block's end: padding to four bytes, then its check.
          const skip = 1 + ((4 - ((this.blockBytes + 1) % 4)) % 4) + this.checkSize;
          if (!this.avail(skip)) return false;
          this.at += skip;
          this.stage = 'block';
          continue;
        }
        if (c === 1 || c === 2) {
          if (!this.avail(3)) return false;
          if (c === 1) {
            this.dict?.reset();
            this.needDictReset = false;
          } else if (this.needDictReset) throw new LzmaError('an LZMA2 chunk before its dictionary reset');
          this.chunkLeft = (((this.input[this.at + 1] ?? 0) << 8) | (this.input[this.at + 2] ?? 0)) + 1;
          this.advance(3);
          this.stage = 'stored-chunk';
          continue;
        }
        if (c < 0x80) throw new LzmaError(`a bad LZMA2 control byte ${c}`);
        const withProps = c >= 0xc0;
        const headerSize = withProps ? 6 : 5;
        if (!this.avail(headerSize)) return false;
        const h = this.input.subarray(this.at, this.at + headerSize);
        const unpacked = (c & 0x1f) * 65536 + (((h[1] ?? 0) << 8) | (h[2] ?? 0)) + 1;
        const packed = (((h[3] ?? 0) << 8) | (h[4] ?? 0)) + 1;
        if (!this.avail(headerSize + packed)) return false; // a whole chunk (≤ 64 KiB) at once
        const reset = (c >>> 5) & 3;
        if (reset === 3) {
          this.dict?.reset();
          this.needDictReset = false;
        } else if (this.needDictReset) throw new LzmaError('an LZMA2 chunk before its dictionary reset');
        if (withProps) {
          lzma.setProps(h[5] ?? 0);
          if (lzma.lc + lzma.lp > 4) throw new LzmaError('LZMA2 properties with lc + lp over 4');
          this.needProps = false;
        } else if (this.needProps) throw new LzmaError('an LZMA2 chunk before its properties');
        if (reset >= 1) lzma.reset();
        this.advance(headerSize);
        lzma.rc.init(this.input, this.at);
        this.packedEnd = this.at + packed;
        this.chunkLeft = unpacked;
        this.stage = 'lzma-chunk';
      } else if (this.stage === 'lzma-chunk') {
        const lzma = this.lzma as Lzma;
        const r = lzma.run(Math.min(this.chunkLeft, outLimit - produced), this.packedEnd, true);
        this.chunkLeft -= r.written;
        produced += r.written;
        if (r.end) throw new LzmaError('an end marker inside an LZMA2 chunk');
        if (this.chunkLeft === 0) {
          if (lzma.rc.at > this.packedEnd || lzma.pendingLen > 0)
            throw new LzmaError('an LZMA2 chunk whose data does not end where it says');
          this.advance(this.packedEnd - this.at);
          this.stage = 'chunks';
        } else if (produced >= outLimit) {
          return true;
        }
      } else if (this.stage === 'stored-chunk') {
        const n = Math.min(this.chunkLeft, this.input.length - this.at, outLimit - produced);
        for (let i = 0; i < n; i++) this.dict?.put(this.input[this.at + i] ?? 0);
        this.advance(n);
        this.chunkLeft -= n;
        produced += n;
        if (this.chunkLeft === 0) this.stage = 'chunks';
        else return produced >= outLimit;
      }
    }
  }

  /** Moves past n input bytes of the block (its length decides the padding before the check). */
  private advance(n: number): void {
    this.at += n;
    this.blockBytes += n;
  }
}

/**
 * A raw LZMA2 stream (chunks only, as 7z's LZMA2 coder writes it). The dictionary size is the coder's
 * property in the archive header; a caller that has not read it gives the output it will ask for at most
 * (no match reaches further back than what was produced).
 */
export class Lzma2Decoder extends XzDecoder {
  constructor(ondata: (chunk: Uint8Array, final: boolean) => void, dictSize: number) {
    super(ondata);
    this.raw = true;
    this.open(dictSize);
    this.stage = 'chunks';
  }
}
