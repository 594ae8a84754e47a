// A compressed joblib's stream: a bomb past our bound and a corrupt stream are verdicts about the file,
// cached like any other; only a transport failure is a failed read (issue 12: they were "read failed").
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Reader, SourceDataError, memorySource } from '../../../lib/formats/bytes';
import { classify, fromFailedRead } from '../../../lib/formats/classify';
import { DecompressedSource } from '../../../lib/formats/compressed';
import { walkPickle } from '../../../lib/formats/pickle';
import { fixture } from '../../hub/sample-repos';

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

  it('a corrupt zlib joblib gets a verdict that is cached (not a failed read)', async () => {
    const good = fixture('zlib.joblib');
    const bad = good.slice();
    for (let i = 10; i < bad.length; i += 3) bad[i] = (bad[i] ?? 0) ^ 0x5a;
    const v = await classify(
      { size: bad.length, read: (s, e) => memorySource(bad).read(s, e) },
      { name: 'x.joblib' },
    );
    expect(fromFailedRead(v)).toBe(false);
    expect(v.risk).not.toBe('safe');
  });
});
