// ZIP archives: the end-of-central-directory record (and its zip64 form), the central directory, local
// headers, and member bytes (stored, or deflated through fflate).
// Spec: PKWARE APPNOTE.TXT 6.3.10, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
// Checked: signatures, counts against limits, member spans inside the file. Not checked: CRCs (torch and
// numpy ignore them too), encryption (reported), multi-disk archives (reported).
import { Inflate, inflateSync } from 'fflate';
import { READ_CHUNK, ReadError, Reader, concat, decodeLatin1, decodeUtf8, u16, u32, u64 } from './bytes';
import type { Finding, FindingCode } from './types';

/** EOCD is 22 bytes plus a comment of at most 65,535. */
const ZIP_TAIL_BYTES = 65_557;
const MAX_ZIP_ENTRIES = 100_000;
/** The central directory is read whole: bound it (100,000 entries of ~100 bytes). */
const MAX_CENTRAL_DIRECTORY = 16 * 1024 * 1024;
/** A member inflated into memory (a .pkl, config.json, an npy header) is at most this large. */
export const MAX_INFLATED_MEMBER = 64 * 1024 * 1024;
/** Members inflated in one call into a buffer of their declared size (larger ones stream). */
const MAX_ONE_SHOT_MEMBER = 4 * 1024 * 1024;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  flags: number;
  /** Where the member's data starts, once its local header has been read. */
  dataOffset?: number;
  /** The local header's own name, when it differs from the central directory's. */
  localName?: string;
}

export interface ZipIndex {
  entries: ZipEntry[];
  findings: Finding[];
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;

function name(bytes: Uint8Array, flags: number): string {
  // Bit 11: UTF-8 names; otherwise CP437, which matches Latin-1 for the ASCII names model files use.
  return flags & 0x800 ? (decodeUtf8(bytes) ?? decodeLatin1(bytes)) : decodeLatin1(bytes);
}

function finding(code: FindingCode, message: string, severity: Finding['severity'] = 'warning'): Finding {
  return { code, severity, message };
}

/** Finds the EOCD in the tail and reads the central directory. Undefined when the file has none. */
export async function readZipIndex(reader: Reader, size: number): Promise<ZipIndex | undefined> {
  const tailStart = Math.max(0, size - ZIP_TAIL_BYTES);
  const tail = await reader.read(tailStart, size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const findings: Finding[] = [];
  const eocdAbs = tailStart + eocd;
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (u16(tail, eocd + 4) !== 0 || u16(tail, eocd + 6) !== 0) {
    findings.push(finding('zip-multi-disk', 'the archive claims to span several disks'));
  }
  // zip64: a locator 20 bytes before the EOCD points at the zip64 EOCD record.
  let cdEndActual = eocdAbs;
  if (eocdAbs >= 20) {
    const loc = await reader.read(eocdAbs - 20, eocdAbs);
    if (u32(loc, 0) === SIG_EOCD64_LOCATOR) {
      const at = u64(loc, 8);
      if (Number.isFinite(at) && at + 56 <= size) {
        const rec = await reader.read(at, at + 56);
        if (u32(rec, 0) === SIG_EOCD64) {
          count = u64(rec, 32);
          cdSize = u64(rec, 40);
          cdOffset = u64(rec, 48);
          cdEndActual = at;
        }
      }
    }
  }
  // Bytes prepended to an archive shift every offset; readers that search for the EOCD still open it.
  const shift = cdEndActual - (cdOffset + cdSize);
  if (!Number.isFinite(count) || count > MAX_ZIP_ENTRIES) {
    findings.push(
      finding(
        'zip-too-many-entries',
        `the central directory lists ${count} entries, over the ${MAX_ZIP_ENTRIES} limit`,
        'error',
      ),
    );
    return { entries: [], findings };
  }
  if (
    !Number.isFinite(cdSize) ||
    cdSize > MAX_CENTRAL_DIRECTORY ||
    cdOffset + shift + cdSize > size ||
    cdOffset + shift < 0
  ) {
    findings.push(
      finding(
        'zip-bad-central-directory',
        'the central directory lies outside the file or is too large',
        'error',
      ),
    );
    return { entries: [], findings };
  }
  if (shift !== 0)
    findings.push(
      finding('zip-prepended-data', `${shift} bytes come before the archive (its offsets are shifted)`),
    );
  const cd = await reader.read(cdOffset + shift, cdOffset + shift + cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== SIG_CENTRAL) {
      findings.push(
        finding('zip-bad-central-directory', `central directory entry ${i} is malformed`, 'error'),
      );
      break;
    }
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    let compressedSize = u32(cd, p + 20);
    let usize = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let localOffset = u32(cd, p + 42);
    const entryName = name(cd.subarray(p + 46, p + 46 + nameLen), flags);
    // zip64 extended information: the fields that are 0xFFFFFFFF, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (usize === 0xffffffff) {
          usize = u64(cd, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(cd, q);
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(cd, q);
      }
      e += 4 + len;
    }
    entries.push({
      name: entryName,
      method,
      compressedSize,
      size: usize,
      localOffset: localOffset + shift,
      flags,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { entries, findings };
}

/** Without a central directory (truncated archive), walks local headers from the start. */
export async function scanLocalHeaders(reader: Reader, size: number, maxBytes: number): Promise<ZipIndex> {
  const entries: ZipEntry[] = [];
  const findings: Finding[] = [
    finding(
      'zip-no-central-directory',
      'no end-of-central-directory record: the archive is truncated or damaged',
      'error',
    ),
  ];
  let at = 0;
  while (at + 30 <= Math.min(size, maxBytes) && entries.length < MAX_ZIP_ENTRIES) {
    const h = await reader.read(at, at + 30);
    if (u32(h, 0) !== SIG_LOCAL) break;
    const flags = u16(h, 6);
    const method = u16(h, 8);
    const compressedSize = u32(h, 18);
    const usize = u32(h, 22);
    const nameLen = u16(h, 26);
    const extraLen = u16(h, 28);
    const nm = await reader.read(at + 30, at + 30 + nameLen);
    const dataOffset = at + 30 + nameLen + extraLen;
    entries.push({
      name: name(nm, flags),
      method,
      compressedSize,
      size: usize,
      localOffset: at,
      flags,
      dataOffset,
    });
    // With a data descriptor (bit 3) the sizes are not in the local header; stop there.
    if (flags & 0x8 || compressedSize === 0xffffffff) break;
    at = dataOffset + compressedSize;
  }
  return { entries, findings };
}

/** Reads the member's local header to find where its data starts. */
export async function locateData(reader: Reader, entry: ZipEntry): Promise<number | undefined> {
  if (entry.dataOffset !== undefined) return entry.dataOffset;
  const h = await reader.read(entry.localOffset, entry.localOffset + 30);
  if (h.length < 30 || u32(h, 0) !== SIG_LOCAL) return undefined;
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  const nm = await reader.read(entry.localOffset + 30, entry.localOffset + 30 + nameLen);
  const local = name(nm, u16(h, 6));
  if (local !== entry.name) entry.localName = local;
  entry.dataOffset = entry.localOffset + 30 + nameLen + extraLen;
  return entry.dataOffset;
}

type MemberBytes =
  | { ok: true; bytes: Uint8Array; truncated: boolean }
  | {
      ok: false;
      code:
        | 'zip-bad-local-header'
        | 'zip-member-too-large'
        | 'zip-unsupported-method'
        | 'zip-inflate-failed'
        | 'zip-encrypted';
      message: string;
    };

/** A member whose bytes do not inflate; a read that failed is the transport's, not a verdict: rethrown. */
function inflateFailed(entry: ZipEntry, e: unknown): MemberBytes {
  if (e instanceof ReadError) throw e;
  return {
    ok: false,
    code: 'zip-inflate-failed',
    message: `${entry.name} does not inflate: ${e instanceof Error ? e.message : String(e)}`,
  };
}

/**
 * The member's bytes, decompressed, up to `limit` bytes of output. Stored members are read only as far as
 * the limit; a small deflated member is inflated at once, a larger one chunk by chunk until `limit` bytes
 * of output exist; a `limit` over MAX_INFLATED_MEMBER (such as Infinity) asks for the whole member.
 */
export async function readMember(reader: Reader, entry: ZipEntry, limit: number): Promise<MemberBytes> {
  if (entry.flags & 0x1) return { ok: false, code: 'zip-encrypted', message: `${entry.name} is encrypted` };
  const data = await locateData(reader, entry);
  if (data === undefined)
    return { ok: false, code: 'zip-bad-local-header', message: `${entry.name} has no valid local header` };
  if (entry.method === 0) {
    const n = Math.min(entry.compressedSize, limit);
    const bytes = await reader.read(data, data + n);
    return { ok: true, bytes, truncated: n < entry.size };
  }
  if (entry.method !== 8) {
    return {
      ok: false,
      code: 'zip-unsupported-method',
      message: `${entry.name} uses compression method ${entry.method}`,
    };
  }
  // `limit` past the cap means "the whole member": then a member larger than the cap is an error, not a cut.
  const whole = limit > MAX_INFLATED_MEMBER;
  const want = Math.min(limit, MAX_INFLATED_MEMBER);
  // A small member (its compressed bytes one read, the read the incremental way would make first) is
  // inflated at once into a buffer of its declared size and one byte more, even when only its head is
  // wanted: fflate's streaming inflater allocates 160 KiB a member, which was a quarter of a scan of small
  // files. A member that fills that extra byte lied about its size: it goes the incremental way below.
  if (entry.compressedSize <= READ_CHUNK && entry.size <= MAX_ONE_SHOT_MEMBER) {
    try {
      const comp = await reader.read(data, data + entry.compressedSize, false);
      const bytes = inflateSync(comp, { out: new Uint8Array(entry.size + 1) });
      if (bytes.length <= entry.size)
        return bytes.length > want
          ? { ok: true, bytes: bytes.subarray(0, want), truncated: true }
          : { ok: true, bytes, truncated: false };
    } catch (e) {
      return inflateFailed(entry, e);
    }
  }
  // Inflate incrementally: stop reading compressed bytes once one byte more than `want` exists.
  const out: Uint8Array[] = [];
  let produced = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    out.push(chunk);
    produced += chunk.length;
    if (final) ended = true;
  });
  let at = data;
  const endOfData = data + entry.compressedSize;
  try {
    while (produced <= want && !ended && at < endOfData) {
      const chunk = await reader.read(at, Math.min(endOfData, at + READ_CHUNK), false);
      if (chunk.length === 0) break;
      at += chunk.length;
      inflater.push(chunk, at >= endOfData);
    }
  } catch (e) {
    return inflateFailed(entry, e);
  }
  if (whole && produced > want) {
    return {
      ok: false,
      code: 'zip-member-too-large',
      message: `${entry.name} inflates past the ${MAX_INFLATED_MEMBER}-byte limit`,
    };
  }
  const all = concat(...out);
  return { ok: true, bytes: all.length > want ? all.subarray(0, want) : all, truncated: produced > want };
}

/**
 * Bytes of the tail probed for a zip end record before anything else is read: one small read tells whether a
 * file that is not a zip from byte 0 is one from its end (its comment may be up to 64 KiB; longer evade).
 */
const POLYGLOT_TAIL = 1024;

export async function endsWithZip(reader: Reader, size: number): Promise<boolean> {
  const tail = await reader.read(Math.max(0, size - POLYGLOT_TAIL), size);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) return true;
  }
  return false;
}
