// Compressed pickles: joblib writes the compressor's own stream (joblib/compressor.py: zlib "\x78…", gzip
// "\x1f\x8b", bz2 "BZh", lzma-alone "\x5d\x00", xz "\xfd7zXZ", lz4 "\x04\x22\x4d\x18"), and pandas'
// read_pickle opens those and Zstandard when the name says so (pandas/io/common.py). Each is decoded here as
// a forward-only ByteSource — zlib and gzip by fflate, Zstandard by fzstd, bzip2, xz, lzma and LZ4 by this
// engine's own decoders (bzip2.ts, lzma.ts, lz4.ts): decompressed bytes are produced chunk by chunk and
// dropped once read past, so memory stays bounded whatever the output size.
import { Gunzip, Unzlib } from 'fflate';
import { READ_CHUNK, Reader, SourceDataError, concat } from './bytes';
import type { ByteSource } from './types';
import { addPickles, concludes, type FormatModule, type Judgement } from './judgement';
import { walkPickle } from './pickle';
import { pickleFormat } from './pickle-file';
import { Decompress as ZstdDecompress } from 'fzstd';
import { Bzip2Decoder } from './bzip2';
import { Lz4FrameDecoder } from './lz4';
import { LzmaAloneDecoder, XzDecoder } from './lzma';

/** Output walked through at most: a bound on time for a decompression bomb. */
const MAX_DECOMPRESSED = 4 * 1024 * 1024 * 1024;

type Compression = 'zlib' | 'gzip' | 'bz2' | 'xz' | 'lzma' | 'lz4' | 'zstd';

/** The stream a file opens with, by its magic (each format's own spec; see the file's head). */
function detectCompression(h: Uint8Array): Compression | undefined {
  const a = h[0] ?? 0;
  const b = h[1] ?? 0;
  if (a === 0x1f && b === 0x8b && h[2] === 0x08) return 'gzip';
  // bzip2: "BZh", the block size '1'–'9', then a block's or the end's 48-bit magic (pi or sqrt(pi)).
  if (a === 0x42 && b === 0x5a && h[2] === 0x68 && (h[3] ?? 0) >= 0x31 && (h[3] ?? 0) <= 0x39)
    if (
      (h[4] === 0x31 && h[5] === 0x41 && h[6] === 0x59) ||
      (h[4] === 0x17 && h[5] === 0x72 && h[6] === 0x45)
    )
      return 'bz2';
  // xz: the stream header magic "\xfd7zXZ\0" (xz-file-format.txt 2.1.1.1).
  if (a === 0xfd && b === 0x37 && h[2] === 0x7a && h[3] === 0x58 && h[4] === 0x5a && h[5] === 0x00)
    return 'xz';
  // LZ4 frame: magic 0x184D2204 little-endian, then a version 01 in the FLG byte (lz4_Frame_format.md).
  if (a === 0x04 && b === 0x22 && h[2] === 0x4d && h[3] === 0x18 && ((h[4] ?? 0) & 0xc0) === 0x40)
    return 'lz4';
  // Zstandard frame: magic 0xFD2FB528 little-endian (RFC 8878 3.1.1).
  if (a === 0x28 && b === 0xb5 && h[2] === 0x2f && h[3] === 0xfd) return 'zstd';
  // .lzma ("alone"): properties 0x5d (lc 3, lp 0, pb 2, what Python's lzma writes), a 32-bit dictionary size,
  // then the uncompressed size: all ones when unknown (Python streams), else under 2^48.
  if (a === 0x5d && b === 0x00 && h.length >= 13) {
    const unknownSize = h.subarray(5, 13).every((x) => x === 0xff);
    if (unknownSize || (h[11] === 0 && h[12] === 0)) return 'lzma';
  }
  // RFC 1950: CM = 8, CINFO ≤ 7, and the header's 16-bit value is a multiple of 31.
  if ((a & 0x0f) === 8 && a >> 4 <= 7 && ((a << 8) | b) % 31 === 0) return 'zlib';
  return undefined;
}

function decoder(kind: Compression, ondata: (chunk: Uint8Array, final: boolean) => void): Decoder {
  switch (kind) {
    case 'gzip':
      return new Gunzip(ondata);
    case 'zlib':
      return new Unzlib(ondata);
    case 'bz2':
      return new Bzip2Decoder(ondata);
    case 'xz':
      return new XzDecoder(ondata);
    case 'lzma':
      return new LzmaAloneDecoder(ondata);
    case 'lz4':
      return new Lz4FrameDecoder(ondata);
    case 'zstd':
      return new ZstdDecompress((chunk, final) => ondata(chunk, final === true));
  }
}

/** fflate's and fzstd's streams, and ours (which may hold input back: `pending`). */
type Decoder = { push(chunk: Uint8Array, final: boolean): unknown; readonly pending?: boolean };

export class DecompressedSource implements ByteSource {
  size: number | undefined = undefined;
  private chunks: Uint8Array[] = [];
  /** Offset (in decompressed bytes) of chunks[0]. */
  private start = 0;
  private produced = 0;
  private inAt: number;
  private ended = false;
  private failure: SourceDataError | undefined;
  private stream: Decoder;

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
    this.stream = decoder(kind, ondata);
  }

  private waiting(): boolean {
    return this.stream.pending === true;
  }

  async read(s: number, e: number): Promise<Uint8Array> {
    while (this.produced < e && !this.ended && !this.failure && (this.waiting() || this.inAt < this.inEnd)) {
      // A decoder that stopped at its output bound goes on from the input it holds before more is read.
      const chunk = this.waiting()
        ? new Uint8Array(0)
        : await this.reader.read(this.inAt, Math.min(this.inEnd, this.inAt + READ_CHUNK), false);
      if (chunk.length === 0 && !this.waiting()) break;
      this.inAt += chunk.length;
      try {
        this.stream.push(chunk, this.inAt >= this.inEnd);
      } catch (err) {
        // A decoder throws on a stream that is not what its header says: the file's fault, not the transport's.
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
    if (this.ended || (this.inAt >= this.inEnd && !this.waiting())) this.size = this.produced;
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
  kind: Compression,
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

export const COMPRESSED_MODULE: FormatModule = {
  id: 'compressed',
  formats: ['joblib', 'pickle', 'dill'],
  sniff: (c) => detectCompression(c.head) !== undefined,
  judge: concludes((c, j) => compressedFile(c.reader, detectCompression(c.head) ?? 'zlib', c.known, j)),
};
