// Byte helpers and the counting reader every format module reads through.
import type { ByteSource } from './types';

/** The largest single read the engine asks for; anything needing more is a limit finding. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;
/** Reads are rounded up to this so that a walk over a stream makes few requests. */
export const READ_CHUNK = 64 * 1024;
/** The read-ahead right after a skipped payload; it grows back ×4 per read. */
const READ_AFTER_SKIP = 1024;
/** The largest read-ahead of a sequential walk. */
const MAX_READ_AHEAD = 1024 * 1024;

export class ReadError extends Error {
  constructor(
    message: string,
    readonly code: 'read-failed' | 'read-too-large',
    /** The transport's own error code (a HubError's: gated, rate-limited, …), when it gave one. */
    readonly causeCode?: string,
  ) {
    super(message);
  }
}

/**
 * A source that decodes what it reads (a compressed stream) met bytes it cannot decode, or a bound of ours:
 * a fact about the file, not a failed read. The Reader passes it through unwrapped, so the verdict built on
 * it says so and is cached like any other.
 */
export class SourceDataError extends Error {
  constructor(
    message: string,
    readonly code: 'decompression-limit' | 'decompression-corrupt',
  ) {
    super(message);
  }
}

/**
 * Wraps a ByteSource: counts bytes and requests, and caches what it fetched so a format module can re-read
 * a region (the head, a header) without paying twice. Cached spans are merged; memory is bounded by what
 * the engine chose to read, which every caller bounds with a named limit.
 */
export class Reader {
  bytesRead = 0;
  requests = 0;
  private spans: { start: number; bytes: Uint8Array }[] = [];

  constructor(
    private readonly source: ByteSource,
    readonly size: number | undefined,
  ) {}

  /**
   * Bytes [start, end), clamped to the size when known; fewer bytes than asked means end of file.
   * `cache: false` is for streaming walks: the bytes are counted but not kept, so memory stays bounded.
   */
  async read(start: number, end: number, cache = true): Promise<Uint8Array> {
    if (this.size !== undefined) end = Math.min(end, this.size);
    if (end <= start) return new Uint8Array(0);
    if (end - start > MAX_READ_BYTES) {
      throw new ReadError(
        `a read of ${end - start} bytes is over the ${MAX_READ_BYTES}-byte limit`,
        'read-too-large',
      );
    }
    const hit = this.spans.find((s) => s.start <= start && s.start + s.bytes.length >= end);
    if (hit) return hit.bytes.subarray(start - hit.start, end - hit.start);
    // A span that covers the start but ends early: fetch only the missing tail, unless other spans hold it.
    const partial = this.spans.find((s) => s.start <= start && s.start + s.bytes.length > start);
    if (partial && this.cached(partial.start + partial.bytes.length, end))
      return concat(
        partial.bytes.subarray(start - partial.start),
        await this.read(partial.start + partial.bytes.length, end),
      );
    const fetchStart = partial ? partial.start + partial.bytes.length : start;
    let got: Uint8Array;
    try {
      got = await this.source.read(fetchStart, end);
    } catch (e) {
      if (e instanceof SourceDataError) throw e;
      const code =
        typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
      throw new ReadError(e instanceof Error ? e.message : String(e), 'read-failed', code);
    }
    this.requests++;
    this.bytesRead += got.length;
    if (!partial) {
      if (cache) this.spans.push({ start, bytes: got });
      return got;
    }
    const merged = concat(partial.bytes.subarray(start - partial.start), got);
    if (cache) {
      this.spans = this.spans.filter((s) => s !== partial);
      this.spans.push({ start: partial.start, bytes: concat(partial.bytes, got) });
    }
    return merged;
  }

  /** Whether [start, end) was read already (a read of it would cost no request). */
  cached(start: number, end: number): boolean {
    return this.spans.some((s) => s.start <= start && s.start + s.bytes.length >= end);
  }

  /**
   * At least [start, minEnd) and at most [start, maxEnd): served from the cache alone when it covers the
   * minimum (read-ahead is only worth a request when the bytes are not already here), else fetched whole.
   */
  async readAhead(start: number, minEnd: number, maxEnd: number, cache = true): Promise<Uint8Array> {
    const hit = this.spans.find((s) => s.start <= start && s.start + s.bytes.length >= minEnd);
    if (hit)
      return hit.bytes.subarray(
        start - hit.start,
        Math.min(maxEnd, hit.start + hit.bytes.length) - hit.start,
      );
    return this.read(start, maxEnd, cache);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (s, e) => Promise.resolve(bytes.slice(s, Math.min(e, bytes.length))) };
}

export function startsWith(bytes: Uint8Array, magic: readonly number[] | Uint8Array, at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Naive search, for short needles in bounded buffers. */
export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 0) return from;
  const first: number = needle[0] ?? 0;
  outer: for (
    let i = hay.indexOf(first, from);
    i !== -1 && i <= hay.length - needle.length;
    i = hay.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}
export function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16)) + (b[at + 3] ?? 0) * 0x1000000;
}
/** A little-endian u64 as a number; values over 2^53 come back as Infinity so limits reject them. */
export function u64(b: Uint8Array, at: number): number {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (hi >= 0x200000) return Infinity;
  return hi * 0x100000000 + lo;
}
export function i32(b: Uint8Array, at: number): number {
  return u32(b, at) | 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(b: Uint8Array): string | undefined {
  // Short ASCII (most names and keys) without the decoder's call overhead.
  if (b.length <= 64) {
    let ascii = true;
    for (let i = 0; i < b.length; i++) if ((b[i] ?? 0) >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode(...b);
  }
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}
export function decodeLatin1(b: Uint8Array): string {
  return latin1.decode(b);
}

export class Truncated extends Error {}
export class LineTooLong extends Error {}

/**
 * Thrown by a Cursor's buffered reads when the window lacks bytes the data still has: the caller fetches
 * `n` bytes from where the read stood (Cursor.need) and runs the step again. One instance, reused: it is
 * thrown once per window, and a stack trace each time would cost more than reading the bytes. Walks that
 * interleave (at their awaits) cannot mix up `n`: it is thrown and read in one synchronous stretch.
 */
export const SHORT: Error & { n: number } = Object.assign(new Error('the window ends here'), { n: 0 });

/** Argument lists for String.fromCharCode, one per length up to Cursor.asciiString's 64, reused. */
const CHAR_CODES: number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));

/**
 * A forward-only window over a Reader for formats walked front to back (pickle, GGUF): bytes are fetched
 * in READ_CHUNK steps, skipped payloads are never fetched, and only the current window is kept.
 */
export class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  bufStart = 0;
  pos: number;
  private readAhead = READ_CHUNK;

  constructor(
    private readonly reader: Reader,
    start: number,
    readonly end: number,
    private readonly onBytes?: (bytes: Uint8Array, offset: number) => void,
  ) {
    this.pos = start;
    this.bufStart = start;
  }

  avail(): number {
    return this.bufStart + this.buf.length - this.pos;
  }

  /**
   * Makes at least `n` bytes available from pos, or throws Truncated at the end of the data. The window keeps
   * what it holds from `keepFrom` (≤ pos) on: a step that met SHORT runs again from its start.
   */
  async need(n: number, keepFrom = this.pos): Promise<void> {
    if (this.avail() >= n) return;
    if (this.pos + n > this.end) throw new Truncated();
    const bufEnd = this.bufStart + this.buf.length;
    const from = Math.max(this.pos, bufEnd);
    const need = Math.min(this.end, this.pos + n);
    const to = Math.min(this.end, Math.max(need, from + this.readAhead));
    // Sequential reading grows the read-ahead: a walk needs every opcode byte, in few requests.
    this.readAhead = Math.min(MAX_READ_AHEAD, this.readAhead * 4);
    const got = await this.reader.readAhead(from, need, to, false);
    this.onBytes?.(got, from);
    const keep = keepFrom < bufEnd ? this.buf.subarray(keepFrom - this.bufStart) : new Uint8Array(0);
    this.buf = keep.length ? concat(keep, got) : got;
    this.bufStart = keepFrom;
    if (this.avail() < n) throw new Truncated();
  }

  /**
   * For synchronous steps over the window: returns when `n` bytes from pos are buffered; throws Truncated
   * when the data ends first, and SHORT (n) when the window does: the caller awaits need(SHORT.n) and retries.
   */
  want(n: number): void {
    if (this.bufStart + this.buf.length - this.pos < n) this.short(n);
  }

  private short(n: number): never {
    if (this.pos + n > this.end) throw new Truncated();
    SHORT.n = n;
    throw SHORT;
  }

  /** One byte, advancing; the caller made sure it is buffered. */
  u8(): number {
    return this.buf[this.pos++ - this.bufStart] ?? 0;
  }

  /** Little-endian integers read in place, advancing; the caller made sure they are buffered. */
  u32(): number {
    const v = u32(this.buf, this.pos - this.bufStart);
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = i32(this.buf, this.pos - this.bufStart);
    this.pos += 4;
    return v;
  }
  u64(): number {
    const v = u64(this.buf, this.pos - this.bufStart);
    this.pos += 8;
    return v;
  }

  /**
   * The next n buffered bytes as a string when they are all ASCII (then UTF-8, Latin-1 and ASCII agree),
   * advancing; undefined, without advancing, otherwise. Short strings only: most names and keys.
   */
  asciiString(n: number): string | undefined {
    if (n > 64) return undefined;
    const buf = this.buf;
    const at = this.pos - this.bufStart;
    if (at + n > buf.length) return undefined;
    // The bytes go into a reused argument list of their length while they are checked: one call then builds
    // the flat string (appending per character would allocate n intermediate strings, and a subarray view
    // cost as much as the string itself).
    const args = CHAR_CODES[n] as number[];
    for (let i = 0; i < n; i++) {
      const b = buf[at + i] as number;
      if (b >= 0x80) return undefined;
      args[i] = b;
    }
    this.pos += n;
    return Reflect.apply(String.fromCharCode, null, args);
  }

  take(n: number): Uint8Array {
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  skip(n: number): void {
    if (this.pos + n > this.end) {
      this.pos = this.end;
      throw new Truncated();
    }
    this.pos += n;
    // Past a skipped payload the next read is usually an opcode or two before the next payload: read a
    // little, not a full chunk (over HTTP, bytes are the cost; the request is paid either way).
    if (this.pos > this.bufStart + this.buf.length) this.readAhead = READ_AFTER_SKIP;
  }

  seek(to: number): void {
    this.pos = to;
    this.buf = new Uint8Array(0);
    this.bufStart = to;
  }

  /** A buffered text line without its newline (Latin-1); throws like want() when the window ends first. */
  lineNow(maxLine: number): string {
    const at = this.pos - this.bufStart;
    const nl = this.buf.indexOf(0x0a, at);
    if (nl !== -1) {
      const text = decodeLatin1(this.buf.subarray(at, nl));
      this.pos = this.bufStart + nl + 1;
      return text;
    }
    const scanned = this.avail();
    if (scanned > maxLine) throw new LineTooLong();
    return this.short(scanned + 1);
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Standard base64 (RFC 4648 §4), padding optional; undefined on any other character. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 256 ? (B64_INDEX[c] ?? -1) : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Hex pairs to bytes; undefined on an odd length or another character. */
export function decodeHex(text: string): Uint8Array | undefined {
  if (text.length % 2 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
