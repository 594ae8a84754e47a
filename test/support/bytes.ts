// Building byte literals for tests: short, readable, and exact.
import { Reader, ascii, concat, memorySource } from '../../lib/formats/bytes';
import type { ByteSource } from '../../lib/formats/types';

export { ascii, concat };

export function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  return concat(
    ...parts.map((p) => (typeof p === 'string' ? ascii(p) : p instanceof Uint8Array ? p : new Uint8Array(p))),
  );
}

export function le64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
export function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
export function le16(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >> 8) & 0xff]);
}

export function readerOf(b: Uint8Array): Reader {
  return new Reader(memorySource(b), b.length);
}

/** A safetensors file: header JSON (as given, unpadded) then `data` bytes. */
export function safetensors(header: string, data: Uint8Array | number = 0): Uint8Array {
  const h = ascii(header);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  return concat(le64(h.length), h, d);
}

/** A source made of real bytes and long runs of zeros that are never allocated: a 200 MB file in memory. */
export type Segment = Uint8Array | { zeros: number };
export function segmentedSource(segments: Segment[]): ByteSource & { size: number } {
  const spans: { start: number; seg: Segment; len: number }[] = [];
  let size = 0;
  for (const seg of segments) {
    const len = seg instanceof Uint8Array ? seg.length : seg.zeros;
    spans.push({ start: size, seg, len });
    size += len;
  }
  return {
    size,
    read(start, end) {
      end = Math.min(end, size);
      const out = new Uint8Array(Math.max(0, end - start));
      for (const s of spans) {
        const a = Math.max(start, s.start);
        const b = Math.min(end, s.start + s.len);
        if (a >= b || !(s.seg instanceof Uint8Array)) continue;
        out.set(s.seg.subarray(a - s.start, b - s.start), a - start);
      }
      return Promise.resolve(out);
    },
  };
}
