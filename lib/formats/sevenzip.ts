// 7z: the 32-byte signature header (magic, version, the next header's offset and size), then packed
// streams. Spec: 7-Zip's DOC/7zFormat.txt; LZMA2 chunk framing from xz-embedded's xz_dec_lzma2.c.
// Checked: the signature header, and the first packed stream read as LZMA2 chunks: stored chunks (control
// 0x01/0x02) are plain bytes, so a pickle stored there is found and walked. Not decoded: LZMA-compressed
// chunks and the (usually LZMA-encoded) header that names the members — there is no LZMA decoder here yet.
import { Reader, concat, memorySource, startsWith, u64 } from './bytes';
import { addPickles, concludes, type FormatModule, type Judgement } from './judgement';
import { looksLikePickle, walkPickle, type PickleResult } from './pickle';
import { worseRisk } from './types';

/** Stored LZMA2 bytes gathered from the first stream at most: enough for any pickle header. */
const MAX_7Z_STORED = 16 * 1024 * 1024;
/** LZMA2 chunks walked at most. */
const MAX_7Z_CHUNKS = 100_000;

interface SevenZipScan {
  /** Bytes of the stored chunks, in order (dictionary resets start a new piece). */
  stored: Uint8Array[];
  /** Compressed chunks were met, so some content could not be read. */
  compressed: boolean;
  packSize: number;
}

async function scanSevenZip(reader: Reader, size: number): Promise<SevenZipScan> {
  const sig = await reader.read(0, 32);
  const packSize = Math.min(u64(sig, 12), size - 32);
  const result: SevenZipScan = { stored: [], compressed: false, packSize };
  if (!Number.isFinite(packSize) || packSize <= 0) return result;
  let at = 32;
  const end = 32 + packSize;
  let piece: Uint8Array[] = [];
  let gathered = 0;
  for (let i = 0; i < MAX_7Z_CHUNKS && at < end && gathered < MAX_7Z_STORED; i++) {
    const h = await reader.read(at, Math.min(end, at + 6));
    const control = h[0] ?? 0;
    if (control === 0x00) break;
    if (control === 0x01 || control === 0x02) {
      const n = (((h[1] ?? 0) << 8) | (h[2] ?? 0)) + 1;
      if (control === 0x01 && piece.length) {
        result.stored.push(concat(...piece));
        piece = [];
      }
      piece.push(await reader.read(at + 3, Math.min(end, at + 3 + n)));
      gathered += n;
      at += 3 + n;
    } else if (control >= 0x80) {
      result.compressed = true;
      const packed = (((h[3] ?? 0) << 8) | (h[4] ?? 0)) + 1;
      at += (control >= 0xc0 ? 6 : 5) + packed;
    } else break; // not LZMA2: another coder, nothing more to read here
  }
  if (piece.length) result.stored.push(concat(...piece));
  return result;
}

const SEVEN_Z_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

async function sevenZipFile(reader: Reader, size: number, acc: Judgement): Promise<void> {
  acc.format = '7z';
  acc.risk = 'caution';
  const scan = await scanSevenZip(reader, size);
  const pickles = scan.stored.filter(looksLikePickle);
  if (pickles.length) {
    const results: PickleResult[] = [];
    for (const [i, bytes] of pickles.entries()) {
      results.push(
        await walkPickle(new Reader(memorySource(bytes), bytes.length), 0, {
          where: `7z stored stream ${i + 1}`,
        }),
      );
    }
    addPickles(acc, results);
    acc.risk = worseRisk('caution', acc.risk);
  }
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: scan.compressed
      ? `a 7z archive with LZMA-compressed content, which was not decoded${pickles.length ? '; its stored pickles were read' : ''}`
      : `a 7z archive: ${pickles.length ? 'its stored pickles were read' : 'no member could be read without decompression'}`,
  });
}

export const SEVEN_Z_MODULE: FormatModule = {
  id: '7z',
  formats: ['7z'],
  sniff: (c) => startsWith(c.head, SEVEN_Z_MAGIC),
  judge: concludes((c, j) => sevenZipFile(c.reader, c.known, j)),
};
