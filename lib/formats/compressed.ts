// zlib and gzip streams as a forward-only ByteSource, for compressed joblib files (joblib writes the
// compressor's own stream: zlib "\x78…", gzip "\x1f\x8b"; joblib/compressor.py). Decompressed bytes are
// produced chunk by chunk and dropped once read past, so memory stays bounded whatever the output size.
import { Gunzip, Unzlib } from 'fflate';
import { READ_CHUNK, Reader, SourceDataError, concat } from './bytes';
import type { ByteSource } from './types';
import { addPickles, concludes, type FormatModule, type Judgement } from './judgement';
import { walkPickle } from './pickle';

/** Output walked through at most: a bound on time for a decompression bomb. */
const MAX_DECOMPRESSED = 4 * 1024 * 1024 * 1024;

type Compression = 'zlib' | 'gzip';

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
  acc.format = 'joblib';
  acc.details.compression = kind;
  acc.details.joblibArrays = r.joblibArrays || undefined;
  addPickles(acc, [r], `the ${kind}-compressed pickle`);
}

export const COMPRESSED_MODULE: FormatModule = {
  id: 'compressed',
  formats: ['joblib'],
  sniff: (c) => detectCompression(c.head) !== undefined,
  judge: concludes((c, j) => compressedFile(c.reader, detectCompression(c.head) ?? 'zlib', c.known, j)),
};
