// 7z: the 32-byte signature header (magic, version, the next header's offset and size), then packed
// streams. Spec: 7-Zip's DOC/7zFormat.txt. Checked: the signature header, and the first packed stream decoded
// as LZMA2 (7-Zip's and py7zr's default coder; lzma.ts), up to MAX_7Z_DECODED bytes: a solid archive holds
// its files one after another there, so every pickle start in it is walked. Not decoded: other coders (LZMA,
// BCJ filters, PPMd…) and the (usually LZMA-encoded) header that names the members.
import { READ_CHUNK, Reader, concat, memorySource, startsWith, u64 } from './bytes';
import { addPickles, concludes, type FormatModule, type Judgement } from './judgement';
import { Lzma2Decoder } from './lzma';
import { looksLikePickle, walkPickle, type PickleResult } from './pickle';
import { worseRisk } from './types';

/** Decoded bytes of the first packed stream looked at, at most. */
const MAX_7Z_DECODED = 16 * 1024 * 1024;
/** Pickle starts walked in them, at most. */
const MAX_7Z_PICKLES = 32;

interface SevenZipScan {
  /** The first packed stream, decoded (up to MAX_7Z_DECODED). */
  data: Uint8Array;
  /** Why the stream, or the rest of it, was not decoded. */
  undecoded?: string;
}

async function scanSevenZip(reader: Reader, size: number): Promise<SevenZipScan> {
  const sig = await reader.read(0, 32);
  const packSize = Math.min(u64(sig, 12), size - 32);
  if (!Number.isFinite(packSize) || packSize <= 0) return { data: new Uint8Array(0) };
  const first = (await reader.read(32, 33))[0] ?? 0;
  // LZMA2 opens with a dictionary reset: a stored chunk (1) or an LZMA chunk with new properties (0xe0+).
  if (first !== 0x01 && first < 0xe0)
    return { data: new Uint8Array(0), undecoded: 'its first stream is not LZMA2 (another coder)' };
  const parts: Uint8Array[] = [];
  let produced = 0;
  const decoder = new Lzma2Decoder((chunk) => {
    parts.push(chunk);
    produced += chunk.length;
  }, MAX_7Z_DECODED);
  let undecoded: string | undefined;
  try {
    for (let at = 32; at < 32 + packSize && produced < MAX_7Z_DECODED;) {
      const chunk = await reader.read(at, Math.min(32 + packSize, at + READ_CHUNK), false);
      if (!chunk.length) break;
      at += chunk.length;
      decoder.push(chunk, at >= 32 + packSize);
      while (decoder.pending && produced < MAX_7Z_DECODED)
        decoder.push(new Uint8Array(0), at >= 32 + packSize);
    }
    if (produced >= MAX_7Z_DECODED) undecoded = `only its first ${MAX_7Z_DECODED} bytes were decoded`;
  } catch (e) {
    undecoded = `its stream did not decode past byte ${produced} (${e instanceof Error ? e.message : String(e)})`;
  }
  return { data: concat(...parts).subarray(0, MAX_7Z_DECODED), undecoded };
}

/** Where pickles start in the decoded stream (files of a solid archive follow one another). */
function pickleStarts(data: Uint8Array): number[] {
  const starts: number[] = [];
  for (let i = data.indexOf(0x80); i >= 0 && starts.length < MAX_7Z_PICKLES; i = data.indexOf(0x80, i + 1))
    if (looksLikePickle(data.subarray(i, i + 4))) starts.push(i);
  return starts;
}

const SEVEN_Z_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

async function sevenZipFile(reader: Reader, size: number, acc: Judgement): Promise<void> {
  acc.format = '7z';
  acc.risk = 'caution';
  const scan = await scanSevenZip(reader, size);
  const results: PickleResult[] = [];
  for (const at of pickleStarts(scan.data)) {
    const r = await walkPickle(new Reader(memorySource(scan.data), scan.data.length), at, {
      where: `the 7z stream at byte ${at}`,
    });
    // A 0x80 inside other data can look like a pickle's start: only a walk that reaches STOP is one.
    if (r.complete && r.opcodes >= 2) results.push(r);
  }
  if (results.length) {
    addPickles(acc, results);
    acc.risk = worseRisk('caution', acc.risk);
  }
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: `a 7z archive: ${results.length ? `${results.length} pickle(s) found and read in its first stream` : 'no pickle found in its first stream'}${scan.undecoded ? `; ${scan.undecoded}` : ''}; its member names were not read`,
  });
}

export const SEVEN_Z_MODULE: FormatModule = {
  id: '7z',
  formats: ['7z'],
  sniff: (c) => startsWith(c.head, SEVEN_Z_MAGIC),
  judge: concludes((c, j) => sevenZipFile(c.reader, c.known, j)),
};
