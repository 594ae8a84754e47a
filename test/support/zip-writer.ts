// A minimal zip writer for tests (PKWARE APPNOTE 4.3): stored or deflated members, members made of virtual
// zeros (a 200 MB archive without 200 MB of memory), and the knobs to break one rule on purpose.
// Independent of lib/formats/zip.ts, so the reader is tested against a second opinion.
import { deflateSync } from 'fflate';
import { ascii, concat, le16, le32, type Segment } from './bytes';

export interface ZipMember {
  name: string;
  /** Real bytes, or `{ zeros: n }` for n virtual zero bytes (stored only). */
  data: Uint8Array | { zeros: number };
  /** 0 stored, 8 deflated; anything else to test unsupported methods. */
  method?: number;
  flags?: number;
  /** A different name in the local header than in the central directory. */
  localName?: string;
}

export interface ZipOptions {
  prepend?: Uint8Array;
  disk?: number;
  /** Point the central directory somewhere else. */
  cdOffsetDelta?: number;
  /** Point every member's local header somewhere else. */
  localOffsetDelta?: number;
  omitEocd?: boolean;
}

/** The archive as segments: real bytes and virtual zero runs, for test/support/bytes' segmentedSource. */
export function writeZipSegments(members: ZipMember[], opts: ZipOptions = {}): Segment[] {
  const segments: Segment[] = opts.prepend ? [opts.prepend] : [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method ?? 0;
    const virtual = !(m.data instanceof Uint8Array);
    if (virtual && method !== 0) throw new Error('virtual members are stored only');
    const body: Segment = m.data instanceof Uint8Array && method === 8 ? deflateSync(m.data) : m.data;
    const bodyLength = body instanceof Uint8Array ? body.length : body.zeros;
    const size = m.data instanceof Uint8Array ? m.data.length : m.data.zeros;
    const flags = m.flags ?? 0;
    // The fields local and central headers share, in the same order (APPNOTE 4.3.7 and 4.3.12).
    const common = (nameLength: number) =>
      concat(
        le16(flags),
        le16(method),
        le32(0),
        le32(0),
        le32(bodyLength),
        le32(size),
        le16(nameLength),
        le16(0),
      );
    const localName = ascii(m.localName ?? m.name);
    const local = concat(le32(0x04034b50), le16(20), common(localName.length), localName);
    const name = ascii(m.name);
    const localAt = offset + (opts.localOffsetDelta ?? 0);
    centrals.push(
      concat(
        le32(0x02014b50),
        le16(20),
        le16(20),
        common(name.length),
        le16(0),
        le16(0),
        le16(0),
        le32(0),
        le32(localAt),
        name,
      ),
    );
    segments.push(local, body);
    offset += local.length + bodyLength;
  }
  const cd = concat(...centrals);
  const disk = le16(opts.disk ?? 0);
  const count = le16(members.length);
  const eocd = concat(
    le32(0x06054b50),
    disk,
    disk,
    count,
    count,
    le32(cd.length),
    le32(offset + (opts.cdOffsetDelta ?? 0)),
    le16(0),
  );
  segments.push(cd);
  if (!opts.omitEocd) segments.push(eocd);
  return segments;
}

export function writeZip(members: ZipMember[], opts: ZipOptions = {}): Uint8Array {
  return concat(
    ...writeZipSegments(members, opts).map((s) => (s instanceof Uint8Array ? s : new Uint8Array(s.zeros))),
  );
}
