// Compressed pickles: joblib writes the compressor's own stream (joblib/compressor.py: zlib "\x78…", gzip
// "\x1f\x8b", bz2 "BZh", lzma-alone "\x5d\x00", xz "\xfd7zXZ", lz4 "\x04\x22\x4d\x18"), and pandas'
// read_pickle opens the same streams when the name says so (pandas/io/common.py). zlib and gzip are decoded
// here as a forward-only ByteSource: decompressed bytes are produced chunk by chunk and dropped once read
// past, so memory stays bounded whatever the output size. The others are recognised, not decoded (no vetted
// decoder here yet): the verdict says so, and a pickle's name makes it unsafe (names.ts).
import { Gunzip, Unzlib } from 'fflate';
import { READ_CHUNK, Reader, SourceDataError, concat } from './bytes';
import type { ByteSource } from './types';
import { addPickles, concludes, type FormatModule, type Judgement } from './judgement';
import { walkPickle } from './pickle';
import { pickleFormat } from './pickle-file';

/** Output walked through at most: a bound on time for a decompression bomb. */
const MAX_DECOMPRESSED = 4 * 1024 * 1024 * 1024;

type Compression = 'zlib' | 'gzip';

type Undecoded = 'bz2' | 'xz' | 'lzma' | 'lz4';

/** The streams recognised but not decoded, by their magic (each format's own spec; see the file's head). */
function detectUndecoded(h: Uint8Array): Undecoded | undefined {
  // bzip2: "BZh", the block size '1'–'9', then a block's or the end's 48-bit magic (pi or sqrt(pi)).
  if (h[0] === 0x42 && h[1] === 0x5a && h[2] === 0x68 && (h[3] ?? 0) >= 0x31 && (h[3] ?? 0) <= 0x39)
    if (
      (h[4] === 0x31 && h[5] === 0x41 && h[6] === 0x59) ||
      (h[4] === 0x17 && h[5] === 0x72 && h[6] === 0x45)
    )
      return 'bz2';
  // xz: the stream header magic "\xfd7zXZ\0" (xz-file-format.txt 2.1.1.1).
  if (h[0] === 0xfd && h[1] === 0x37 && h[2] === 0x7a && h[3] === 0x58 && h[4] === 0x5a && h[5] === 0x00)
    return 'xz';
  // LZ4 frame: magic 0x184D2204 little-endian, then a version 01 in the FLG byte (lz4_Frame_format.md).
  if (h[0] === 0x04 && h[1] === 0x22 && h[2] === 0x4d && h[3] === 0x18 && ((h[4] ?? 0) & 0xc0) === 0x40)
    return 'lz4';
  // .lzma ("alone"): properties 0x5d (lc 3, lp 0, pb 2, what Python's lzma writes), a 32-bit dictionary size,
  // then the uncompressed size: all ones when unknown (Python streams), else under 2^48.
  if (h[0] === 0x5d && h[1] === 0x00 && h.length >= 13) {
    const unknownSize = h.subarray(5, 13).every((b) => b === 0xff);
    if (unknownSize || (h[11] === 0 && h[12] === 0)) return 'lzma';
  }
  return undefined;
}

function detectCompression(head: Uint8Array): Compression | undefined {
  const a = head[0] ?? 0;
  const b = head[1] ?? 0;
  if (a === 0x1f && b === 0x8b && head[2] === 0x08) return 'gzip';
  // RFC 1950: CM = 8, CINFO ≤ 7, and the header's 16-bit value is a multiple of 31.
  if ((a & 0x0f) === 8 && a >> 4 <= 7 && ((a << 8) | b) % 31 === 0) return 'zlib';
  return undefined;
}

export class DecompressedSource implements ByteSource {
  size: number | undefined = undefined;
  private chunks: Uint8Array[] = [];
  /** Offset (in decompressed bytes) of chunks[0]. */
  private start = 0;
  private produced = 0;
  private inAt: number;
  private ended = false;
  private failure: SourceDataError | undefined;
  private stream: Gunzip | Unzlib;

  constructor(
    private readonly reader: Reader,
    kind: Compression,
    from: number,
    private readonly inEnd: number,
    /** Output walked through at most (tests set it small). */
    private readonly maxOut = MAX_DECOMPRESSED,
  ) {
    this.inAt = from;
    const ondata = (chunk: Uint8Array, final: boolean) => {
      this.chunks.push(chunk);
      this.produced += chunk.length;
      if (final) this.ended = true;
    };
    this.stream = kind === 'gzip' ? new Gunzip(ondata) : new Unzlib(ondata);
  }

  async read(s: number, e: number): Promise<Uint8Array> {
    while (this.produced < e && !this.ended && !this.failure && this.inAt < this.inEnd) {
      const chunk = await this.reader.read(this.inAt, Math.min(this.inEnd, this.inAt + READ_CHUNK), false);
      if (chunk.length === 0) break;
      this.inAt += chunk.length;
      try {
        this.stream.push(chunk, this.inAt >= this.inEnd);
      } catch (err) {
        // fflate throws on a stream that is not what its header says: the file's fault, not the transport's.
        this.failure = new SourceDataError(
          `the compressed stream is corrupt near compressed byte ${this.inAt}: ${err instanceof Error ? err.message : String(err)}`,
          'decompression-corrupt',
        );
      }
      if (this.produced > this.maxOut)
        this.failure = new SourceDataError(
          `the stream inflates past ${this.maxOut} bytes`,
          'decompression-limit',
        );
    }
    // What came out before the failure is still read (partial results kept); the failure comes with the
    // first read that needs more.
    if (
      this.failure &&
      (this.produced <= s || (this.failure.code === 'decompression-limit' && e > this.maxOut))
    )
      throw this.failure;
    if (this.ended || this.inAt >= this.inEnd) this.size = this.produced;
    // Drop whole chunks that end before s: reads are forward-only.
    while (this.chunks.length && this.start + (this.chunks[0]?.length ?? 0) <= s) {
      this.start += this.chunks[0]?.length ?? 0;
      this.chunks.shift();
    }
    if (s < this.start) throw new Error('a compressed stream can only be read forward');
    const all = this.chunks.length === 1 ? (this.chunks[0] ?? new Uint8Array(0)) : concat(...this.chunks);
    this.chunks = all.length ? [all] : [];
    return all.slice(s - this.start, Math.min(e, this.produced) - this.start);
  }
}

async function compressedFile(
  reader: Reader,
  kind: 'zlib' | 'gzip',
  size: number,
  acc: Judgement,
): Promise<void> {
  const inner = new Reader(new DecompressedSource(reader, kind, 0, size), undefined);
  const r = await walkPickle(inner, 0);
  if (!r.complete && r.opcodes < 2) {
    acc.format = 'unknown';
    acc.risk = 'unknown';
    acc.findings.push({
      code: 'compressed-not-pickle',
      severity: 'info',
      message: `${kind}-compressed data that is not a pickle`,
    });
    return;
  }
  acc.format = pickleFormat(r.imports);
  acc.details.compression = kind;
  acc.details.joblibArrays = r.joblibArrays || undefined;
  addPickles(acc, [r], `the ${kind}-compressed pickle`);
}

/** A stream recognised and not decoded: what it is and what loads it; the name decides the rest (names.ts). */
function undecoded(kind: Undecoded, acc: Judgement): void {
  acc.format = 'unknown';
  acc.risk = 'unknown';
  acc.details.compression = kind;
  acc.weightsOnly = false; // torch.load does not decompress: weights_only or not, it cannot read the stream
  acc.findings.push({
    code: 'compressed-not-decoded',
    severity: 'warning',
    message: `a ${kind}-compressed stream, not decoded here: joblib.load and pandas.read_pickle open such streams as pickles`,
  });
}

export const COMPRESSED_MODULE: FormatModule = {
  id: 'compressed',
  formats: ['joblib', 'pickle', 'dill', 'unknown'],
  sniff: (c) => detectCompression(c.head) !== undefined || detectUndecoded(c.head) !== undefined,
  judge: concludes((c, j) => {
    const kind = detectCompression(c.head);
    if (kind) return compressedFile(c.reader, kind, c.known, j);
    const other = detectUndecoded(c.head);
    if (other) undecoded(other, j);
  }),
};
