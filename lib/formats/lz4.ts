// LZ4 frames, decoded forward (what joblib's 'lz4' compressor writes through lz4.frame). Spec: the LZ4 Frame
// Format Description (lz4_Frame_format.md 1.6.x) and the LZ4 Block Format Description: a frame header, then
// blocks each prefixed by its size (high bit: stored), matches reaching back at most 64 KiB into the output
// (across blocks when they are linked, the default). Not checked: the header, block and content checksums.
import { concat } from './bytes';
import type { PushDecoder } from './lzma';

/** The output the next block may reach back into. */
const HISTORY = 64 * 1024;
/** Block sizes by the BD byte's field (4: 64 KiB … 7: 4 MiB). */
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

class Lz4Error extends Error {}

export class Lz4FrameDecoder implements PushDecoder {
  private input: Uint8Array = new Uint8Array(0);
  private at = 0;
  private flags = -1;
  private blockMax = 0;
  private history = new Uint8Array(0);
  private done = false;
  readonly pending = false;

  constructor(private readonly ondata: (chunk: Uint8Array, final: boolean) => void) {}

  push(chunk: Uint8Array, final: boolean): void {
    if (this.done) return;
    this.input = concat(this.input.subarray(this.at), chunk);
    this.at = 0;
    while (!this.done && this.step());
    if (this.done) this.ondata(new Uint8Array(0), true);
    else if (final) throw new Lz4Error('the LZ4 frame ends before its end mark');
  }

  private avail(n: number): boolean {
    return this.at + n <= this.input.length;
  }

  private u32(at: number): number {
    const b = this.input;
    return (
      ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0
    );
  }

  /** One header or block, when its bytes are all here; false when more input is needed. */
  private step(): boolean {
    if (this.flags < 0) {
      if (!this.avail(7)) return false;
      if (this.u32(this.at) !== 0x184d2204) throw new Lz4Error('not an LZ4 frame');
      const flg = this.input[this.at + 4] ?? 0;
      const bd = this.input[this.at + 5] ?? 0;
      if (flg >> 6 !== 1) throw new Lz4Error(`LZ4 frame version ${flg >> 6}`);
      const headerSize = 7 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
      if (!this.avail(headerSize)) return false;
      this.blockMax = BLOCK_MAX[(bd >> 4) & 7] ?? 0;
      if (!this.blockMax) throw new Lz4Error(`an LZ4 block size code ${(bd >> 4) & 7}`);
      this.flags = flg;
      this.at += headerSize;
      return true;
    }
    if (!this.avail(4)) return false;
    const word = this.u32(this.at);
    const blockChecksum = this.flags & 0x10 ? 4 : 0;
    if (word === 0) {
      const contentChecksum = this.flags & 0x04 ? 4 : 0;
      if (!this.avail(4 + contentChecksum)) return false;
      this.at += 4 + contentChecksum;
      this.done = true;
      return false;
    }
    const stored = word >>> 31 === 1;
    const size = word & 0x7fffffff;
    if (size > this.blockMax) throw new Lz4Error(`an LZ4 block of ${size} bytes, over its ${this.blockMax}`);
    if (!this.avail(4 + size + blockChecksum)) return false;
    const data = this.input.subarray(this.at + 4, this.at + 4 + size);
    const out = stored ? data.slice() : this.block(data);
    this.at += 4 + size + blockChecksum;
    if ((this.flags & 0x20) === 0) {
      // Linked blocks: the next one may reach 64 KiB back, into this one and those before it.
      const keep = Math.min(HISTORY, this.history.length + out.length);
      const h = new Uint8Array(keep);
      const fromOld = keep - Math.min(out.length, keep);
      h.set(this.history.subarray(this.history.length - fromOld), 0);
      h.set(out.subarray(out.length - (keep - fromOld)), fromOld);
      this.history = h;
    }
    if (out.length) this.ondata(out, false);
    return true;
  }

  /** One compressed block, over the history when blocks are linked (FLG bit 5 clear). */
  private block(src: Uint8Array): Uint8Array {
    const linked = (this.flags & 0x20) === 0;
    const prefix = linked ? this.history : new Uint8Array(0);
    const buf = new Uint8Array(prefix.length + this.blockMax);
    buf.set(prefix);
    let o = prefix.length;
    let i = 0;
    const length = (n: number) => {
      if (n !== 15) return n;
      for (;;) {
        const b = src[i++];
        if (b === undefined) throw new Lz4Error('an LZ4 length past the block');
        n += b;
        if (b !== 255) return n;
      }
    };
    while (i < src.length) {
      const token = src[i++] ?? 0;
      const lit = length(token >> 4);
      if (i + lit > src.length || o + lit > buf.length) throw new Lz4Error('LZ4 literals past the block');
      buf.set(src.subarray(i, i + lit), o);
      i += lit;
      o += lit;
      if (i >= src.length) break; // the last sequence has literals only
      const offset = (src[i] ?? 0) | ((src[i + 1] ?? 0) << 8);
      i += 2;
      const len = length(token & 15) + 4;
      if (offset === 0 || offset > o)
        throw new Lz4Error(`an LZ4 match ${offset} bytes back, before the data`);
      if (o + len > buf.length) throw new Lz4Error('an LZ4 match past the block');
      for (let k = 0; k < len; k++, o++) buf[o] = buf[o - offset] ?? 0;
    }
    return buf.slice(prefix.length, o);
  }
}
