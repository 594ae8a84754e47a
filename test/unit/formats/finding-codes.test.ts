// The finding codes no other test names, each produced from bytes built here (the rest are held by the
// format tests and by the fixtures' verdict snapshot): see test/unit/meta.test.ts.
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_READ_BYTES, ReadError, Reader, memorySource } from '../../../lib/formats/bytes';
import { classify } from '../../../lib/formats/classify';
import { MAX_ZIP_PROBES } from '../../../lib/formats/zip-family';
import { writeZip } from '../../support/zip-writer';

const codes = async (bytes: Uint8Array, name = 'x.bin') =>
  (
    await classify({ size: bytes.length, read: (s, e) => memorySource(bytes).read(s, e) }, { name })
  ).findings.map((f) => f.code);

describe('finding codes', () => {
  it("'unrecognised': binary bytes of no known format", async () => {
    expect(
      await codes(new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x01, 0x02, 0x03, 0x04, 0xfe, 0x00])),
    ).toContain('unrecognised');
  });

  it("'compressed-not-pickle': a zlib stream of something else", async () => {
    expect(
      await codes(
        zlibSync(new TextEncoder().encode('not a pickle at all, just text '.repeat(20))),
        'x.joblib',
      ),
    ).toContain('compressed-not-pickle');
  });

  it("'npz-members-not-read': an npz with more members than are probed", async () => {
    const npy = new Uint8Array([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, 118, 0]);
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }".padEnd(117, ' ') + '\n';
    const member = new Uint8Array([...npy.subarray(0, 10), ...new TextEncoder().encode(header)]);
    const zip = writeZip(
      Array.from({ length: MAX_ZIP_PROBES + 1 }, (_, i) => ({ name: `a${i}.npy`, data: member })),
    );
    expect(await codes(zip, 'x.npz')).toContain('npz-members-not-read');
  });

  it("'read-too-large': a read over the engine's bound is refused by the Reader", async () => {
    const reader = new Reader({ read: () => Promise.resolve(new Uint8Array(0)) }, undefined);
    const err = await reader.read(0, MAX_READ_BYTES + 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadError);
    expect((err as ReadError).code).toBe('read-too-large');
  });
});
