// Zip error codes, each from a small archive built to break one rule, and the zip family's formats.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../lib/formats/classify';
import { memorySource } from '../../../lib/formats/bytes';
import { MAX_INFLATED_MEMBER, readMember, readZipIndex } from '../../../lib/formats/zip';
import { bytes, concat, le16, le32, le64, readerOf } from '../../support/bytes';
import { writeZip } from '../../support/zip-writer';
import { FIXTURES_DIR } from '../../support/fixtures';

const PKL = bytes([0x80, 0x02], '}.');
const codes = async (b: Uint8Array, name?: string) =>
  (await classify(memorySource(b), { name })).findings.map((f) => f.code);

describe('zip error codes', () => {
  it('zip-multi-disk', async () => {
    expect(await codes(writeZip([{ name: 'a', data: bytes('x') }], { disk: 1 }))).toContain('zip-multi-disk');
  });

  it('zip-too-many-entries (a zip64 count over the limit)', async () => {
    const base = writeZip([]);
    const eocdAt = base.length - 22;
    const rec = concat(
      le32(0x06064b50),
      le64(44),
      le16(45),
      le16(45),
      le32(0),
      le32(0),
      le64(200_000),
      le64(200_000),
      le64(0),
      le64(0),
    );
    const locator = concat(le32(0x07064b50), le32(0), le64(eocdAt), le32(1));
    const b = concat(base.subarray(0, eocdAt), rec, locator, base.subarray(eocdAt));
    const idx = await readZipIndex(readerOf(b), b.length);
    expect(idx?.findings.map((f) => f.code)).toContain('zip-too-many-entries');
  });

  it('zip-bad-central-directory', async () => {
    const b = writeZip([{ name: 'a', data: bytes('x') }]);
    b[b.length - 22 - 47] = 0; // the central directory entry's signature
    expect(await codes(b)).toContain('zip-bad-central-directory');
  });

  it('an offset that lies by a constant is read as prepended data, as Python zipfile does', async () => {
    expect(await codes(writeZip([{ name: 'a', data: bytes('x') }], { cdOffsetDelta: -5 }))).toContain(
      'zip-prepended-data',
    );
  });

  it('zip-prepended-data', async () => {
    const b = writeZip([{ name: 'a', data: bytes('x') }], { prepend: bytes('JUNK') });
    const idx = await readZipIndex(readerOf(b), b.length);
    expect(idx?.findings.map((f) => f.code)).toContain('zip-prepended-data');
    expect(idx?.entries[0]?.localOffset).toBe(4);
  });

  it('zip-no-central-directory, with the local headers still listed', async () => {
    const v = await classify(
      memorySource(writeZip([{ name: 'archive/data.pkl', data: PKL }], { omitEocd: true })),
    );
    expect(v.findings.map((f) => f.code)).toContain('zip-no-central-directory');
    expect(v.format).toBe('torch-zip');
  });

  it('zip-bad-local-header', async () => {
    expect(
      await codes(writeZip([{ name: 'archive/data.pkl', data: PKL }], { localOffsetDelta: 3 })),
    ).toContain('zip-bad-local-header');
  });

  it('zip-member-too-large', async () => {
    const big = new Uint8Array(MAX_INFLATED_MEMBER + 1);
    big.set(PKL);
    const b = writeZip([{ name: 'archive/data.pkl', data: big, method: 8 }]);
    expect(await codes(b)).toContain('zip-member-too-large');
  });

  it('zip-unsupported-method', async () => {
    expect(await codes(writeZip([{ name: 'archive/data.pkl', data: PKL, method: 12 }]))).toContain(
      'zip-unsupported-method',
    );
  });

  it('zip-inflate-failed', async () => {
    const b = writeZip([{ name: 'archive/data.pkl', data: PKL, method: 8 }]);
    // Corrupt the deflate stream: the first byte after the local header's name.
    const at = 30 + 'archive/data.pkl'.length;
    b[at] = 0xff;
    b[at + 1] = 0xff;
    expect(await codes(b)).toContain('zip-inflate-failed');
  });

  it('zip-encrypted', async () => {
    const b = writeZip([{ name: 'a.pkl', data: PKL, flags: 1 }]);
    const i = await readZipIndex(readerOf(b), b.length);
    const e = i?.entries[0];
    if (!e) throw new Error('no entry');
    const m = await readMember(readerOf(b), e, 100);
    expect(m.ok ? 'ok' : m.code).toBe('zip-encrypted');
  });

  it('zip-name-mismatch: the central directory name wins', async () => {
    const v = await classify(
      memorySource(
        writeZip([
          {
            name: 'archive/data.pkl',
            localName: 'archive/innocent.txt',
            data: bytes([0x80, 0x02], 'cos\nsystem\n.'),
          },
        ]),
      ),
    );
    expect(v.findings.map((f) => f.code)).toContain('zip-name-mismatch');
    expect(v.risk).toBe('dangerous');
  });
});

describe('zip family', () => {
  it('zip-hidden-pickle: a pickle under another name is read and is dangerous', async () => {
    const v = await classify(
      memorySource(writeZip([{ name: 'readme.txt', data: bytes([0x80, 0x02], '}.') }])),
    );
    expect(v.risk).toBe('dangerous');
    expect(v.findings.map((f) => f.code)).toContain('zip-hidden-pickle');
  });

  it('an array among other members, whatever its name, is read as numpy reads it: its pickle is judged', async () => {
    // object.npy (written by numpy: an object array, its pickle plain data) as weights.bin: unsafe, not caution.
    const npy = new Uint8Array(readFileSync(join(FIXTURES_DIR, 'object.npy')));
    const v = await classify(
      memorySource(
        writeZip([
          { name: 'notes.txt', data: bytes('just text') },
          { name: 'weights.bin', data: npy },
        ]),
      ),
    );
    expect(v.format).toBe('zip');
    expect(v.findings.map((f) => f.code)).toContain('npy-object-array');
    expect(v.findings.find((f) => f.code === 'archive-not-read')?.message).toContain('its arrays');
    expect(v.risk).toBe('unsafe');
  });

  it('archive-too-deep: zips nested past the limit are not opened', async () => {
    let z = writeZip([{ name: 'x.pkl', data: bytes([0x80, 0x02], 'cos\nsystem\n.') }]);
    for (let i = 0; i < 4; i++) z = writeZip([{ name: `level${i}.zip`, data: z }]);
    const v = await classify(memorySource(z));
    expect(v.findings.map((f) => f.code)).toContain('archive-too-deep');
    expect(v.risk).not.toBe('safe');
  });

  it('a zip inside a zip is opened, and what it imports is carried up', async () => {
    const inner = writeZip([{ name: 'archive/data.pkl', data: bytes([0x80, 0x02], 'cposix\nsystem\n.') }]);
    const v = await classify(memorySource(writeZip([{ name: 'model.zip', data: inner, method: 8 }])));
    expect(v.risk).toBe('dangerous');
    expect(v.imports[0]).toMatchObject({ module: 'posix', name: 'system' });
    expect(v.imports[0]?.where).toMatch(/^model\.zip\//);
  });

  it('a deflated data.pkl is read like a stored one', async () => {
    const v = await classify(
      memorySource(
        writeZip([{ name: 'archive/data.pkl', data: bytes([0x80, 0x02], 'cposix\nsystem\n.'), method: 8 }]),
      ),
    );
    expect(v).toMatchObject({ format: 'torch-zip', risk: 'dangerous', paper: 'torch.save' });
  });

  it('R4: an npy member after decompression makes the paper label numpy', async () => {
    const npy = bytes(
      [0x93],
      'NUMPY',
      [1, 0],
      le16(118),
      "{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }".padEnd(117, ' ') + '\n',
      [1, 2],
    );
    const v = await classify(memorySource(writeZip([{ name: 'x.npy', data: npy, method: 8 }])));
    expect(v).toMatchObject({ paper: 'numpy', format: 'npz', risk: 'safe' });
  });

  it('a plain zip with a pickle inside has that pickle read', async () => {
    const v = await classify(
      memorySource(
        writeZip([
          { name: 'notes.txt', data: bytes('hi') },
          { name: 'model.pkl', data: bytes([0x80, 0x02], 'cos\nsystem\n.') },
        ]),
      ),
    );
    expect(v).toMatchObject({ format: 'zip', risk: 'dangerous' });
  });
});

describe('a failed read inside a member', () => {
  it('is the transport’s failure (not cached), not "does not inflate"', async () => {
    const { classify, fromFailedRead } = await import('../../../lib/formats/classify');
    const { writeZip } = await import('../../support/zip-writer');
    // 300 KB of incompressible bytes, deflated: the member runs past the head and the tail read.
    let x = 12345;
    const noise = new Uint8Array(300_000).map(
      () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24) & 0xff,
    );
    // A pickle of one long BINBYTES (PROTO 2, BINBYTES n, the noise, STOP), so the walk needs all of it.
    const pickle = new Uint8Array([
      0x80,
      0x02,
      0x42,
      ...[0, 1, 2, 3].map((i) => (noise.length >> (8 * i)) & 0xff),
      ...noise,
      0x2e,
    ]);
    const zip = writeZip([{ name: 'archive/data.pkl', data: pickle, method: 8 }]);
    const v = await classify(
      {
        size: zip.length,
        // The head and the read that runs to the end (the central directory) are answered; a read that ends
        // inside the member fails, as a reset would.
        read: (s, e) =>
          s >= 65536 && e < zip.length - 1024
            ? Promise.reject(new Error('connection reset'))
            : Promise.resolve(zip.slice(s, Math.min(e, zip.length))),
      },
      { name: 'x.pt' },
    );
    expect(v.findings.map((f) => f.code)).not.toContain('zip-inflate-failed');
    expect(fromFailedRead(v)).toBe(true);
  });
});

describe('pickle members by name', () => {
  // pandas.read_pickle(compression='zip') reads the one member whatever it is called, and to_pickle names it
  // after the archive without an extension: that claims no other type.
  it('a pickle member with no extension is walked (unsafe), not a pickle under another name', async () => {
    const v = await classify(memorySource(writeZip([{ name: 'frame', data: PKL }])), { name: 'frame.zip' });
    expect(v.risk).toBe('unsafe');
    expect(v.findings.map((f) => f.code)).not.toContain('zip-hidden-pickle');
  });

  it('a pickle member named as another type is hidden: dangerous', async () => {
    for (const name of ['notes.txt', 'dir/weights.safetensors', 'config.json']) {
      const v = await classify(memorySource(writeZip([{ name, data: PKL }])), { name: 'a.zip' });
      expect({ name, risk: v.risk }).toEqual({ name, risk: 'dangerous' });
      expect(v.findings.map((f) => f.code)).toContain('zip-hidden-pickle');
    }
  });
});

describe('Keras v3 configs that carry a pickle', () => {
  const enc = new TextEncoder();
  const keras = (fn: unknown) =>
    writeZip([
      { name: 'metadata.json', data: enc.encode('{"keras_version": "3.4.1"}') },
      {
        name: 'config.json',
        data: enc.encode(
          JSON.stringify({
            module: 'my_layers',
            class_name: 'Stateful',
            config: { name: 's', state: fn },
          }),
        ),
      },
      { name: 'model.weights.h5', data: new Uint8Array(8) },
    ]);
  // PROTO 2, GLOBAL posix system, SHORT_BINUNICODE "touch ran", TUPLE1, REDUCE, STOP
  const evil = bytes([0x80, 0x02], 'cposix\nsystem\n', [0x8c, 9], 'touch ran', [0x85], 'R.');

  it('a base64 pickle that imports posix.system: dangerous, with where it is', async () => {
    const v = await classify(memorySource(keras(Buffer.from(evil).toString('base64'))), { name: 'm.keras' });
    expect(v.format).toBe('keras');
    expect(v.risk).toBe('dangerous');
    const f = v.findings.find((x) => x.code === 'keras-embedded-pickle');
    expect(f?.severity).toBe('danger');
    expect(f?.message).toContain('config.json: a base64 pickle at /config/state');
    expect(v.imports).toContainEqual(
      expect.objectContaining({ module: 'posix', name: 'system', safety: 'dangerous' }),
    );
  });

  it('a hex pickle of plain data: a warning, the custom object stays a caution', async () => {
    const data = bytes([0x80, 0x02, 0x8c, 16], 'just some values', '.');
    const v = await classify(memorySource(keras(Buffer.from(data).toString('hex'))), { name: 'm.keras' });
    expect(v.risk).toBe('caution');
    expect(v.findings.find((x) => x.code === 'keras-embedded-pickle')?.severity).toBe('warning');
  });
});
