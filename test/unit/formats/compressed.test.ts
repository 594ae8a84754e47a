// A compressed joblib's stream: a bomb past our bound and a corrupt stream are verdicts about the file,
// cached like any other; only a transport failure is a failed read (issue 12: they were "read failed").
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Reader, SourceDataError, memorySource } from '../../../lib/formats/bytes';
import { classify, fromFailedRead } from '../../../lib/formats/classify';
import { DecompressedSource } from '../../../lib/formats/compressed';
import { walkPickle } from '../../../lib/formats/pickle';

/** A protocol-2 pickle of a long byte string: `PROTO 2, SHORT_BINBYTES…` would be too short; BINUNICODE. */
function bigPickle(n: number): Uint8Array {
  const body = new Uint8Array(2 + 5 + n + 1);
  body.set([0x80, 0x02, 0x58]); // PROTO 2, BINUNICODE
  new DataView(body.buffer).setUint32(3, n, true);
  body.fill(0x61, 7, 7 + n);
  body[7 + n] = 0x2e; // STOP
  return body;
}

describe('compressed pickles', () => {
  it('a stream that inflates past the bound is a pickle-limit, not a failed read', async () => {
    const z = zlibSync(bigPickle(100_000));
    const outer = new Reader(memorySource(z), z.length);
    const inner = new Reader(new DecompressedSource(outer, 'zlib', 0, z.length, 10_000), undefined);
    const r = await walkPickle(inner, 0);
    expect(r.errors.map((e) => e.code)).toEqual(['pickle-limit']);
    await expect(
      new DecompressedSource(new Reader(memorySource(z), z.length), 'zlib', 0, z.length, 10_000).read(
        0,
        50_000,
      ),
    ).rejects.toBeInstanceOf(SourceDataError);
  });

  it('a corrupt stream after good data is the file’s breakage: a cached verdict, not a failed read', async () => {
    // zlib header, two stored deflate blocks of a pickle's first 80,000 bytes (PROTO 2, MARK, BININT1 1…),
    // then a block of the reserved type 11 (RFC 1951 §3.2.3), which no inflater accepts.
    const data = new Uint8Array(80_000);
    data.set([0x80, 0x02, 0x28]);
    for (let i = 3; i + 1 < data.length; i += 2) data.set([0x4b, 0x01], i);
    const parts: number[] = [0x78, 0x01];
    for (const [from, last] of [
      [0, false],
      [40_000, false],
    ] as const) {
      parts.push(last ? 1 : 0, 40_000 & 0xff, 40_000 >> 8, ~40_000 & 0xff, (~40_000 >> 8) & 0xff);
      parts.push(...data.subarray(from, from + 40_000));
    }
    parts.push(0x07, 0, 0, 0, 0);
    const bad = new Uint8Array(parts);
    const v = await classify(
      { size: bad.length, read: (s, e) => memorySource(bad).read(s, e) },
      { name: 'x.joblib' },
    );
    expect(v.findings.map((f) => f.code)).toContain('pickle-compressed-corrupt');
    expect(fromFailedRead(v)).toBe(false);
    expect(v.risk).toBe('invalid');
  });
});

describe('compressed pickles by kind', () => {
  const verdict = (bytes: Uint8Array, name: string) =>
    classify({ size: bytes.length, read: (s, e) => memorySource(bytes).read(s, e) }, { name });

  it('gzip: a pandas pickle is a pickle, a joblib one stays joblib', async () => {
    const { gzipSync } = await import('fflate');
    // PROTO 2, GLOBAL module name, EMPTY_TUPLE, NEWOBJ, STOP
    const newObject = (global: string) =>
      gzipSync(new Uint8Array([0x80, 2, 0x63, ...new TextEncoder().encode(global), 0x29, 0x81, 0x2e]));
    expect((await verdict(newObject('pandas.core.frame\nDataFrame\n'), 'frame.pkl.gz')).format).toBe(
      'pickle',
    );
    expect(
      (await verdict(newObject('joblib.numpy_pickle\nNumpyArrayWrapper\n'), 'model.joblib')).format,
    ).toBe('joblib');
  });
});
