// Error codes and details of GGUF, npy, tar, Keras, HDF5, ONNX and LFS pointers, from byte literals.
import { describe, expect, it } from 'vitest';
import { classify } from '../../../lib/formats/classify';
import { memorySource } from '../../../lib/formats/bytes';
import { MAX_GGUF_KEPT_STRING, MAX_GGUF_TENSORS } from '../../../lib/formats/gguf';
import { readKerasConfig } from '../../../lib/formats/keras';
import { MAX_NPY_HEADER, parsePyLiteral } from '../../../lib/formats/numpy';
import { MAX_TAR_MEMBERS } from '../../../lib/formats/tar';
import { ascii, bytes, concat, le16, le32, le64 } from '../../support/bytes';

const run = (b: Uint8Array, name?: string) => classify(memorySource(b), { name });
const codes = async (b: Uint8Array) => (await run(b)).findings.map((f) => f.code);

// ---- GGUF
const gstr = (s: string) => concat(le64(s.length), ascii(s));
const gguf = (version: number, tensors: number, kvs: number, ...rest: Uint8Array[]) =>
  concat(ascii('GGUF'), le32(version), le64(tensors), le64(kvs), ...rest);

describe('GGUF', () => {
  it('reads architecture, tensors and parameters', async () => {
    const b = gguf(
      3,
      1,
      1,
      gstr('general.architecture'),
      le32(8),
      gstr('llama'),
      gstr('w'),
      le32(2),
      le64(3),
      le64(4),
      le32(0),
      le64(0),
    );
    const v = await run(b);
    expect(v).toMatchObject({
      format: 'gguf',
      risk: 'safe',
      details: { version: 3, architecture: 'llama', tensors: 1, parameters: 12 },
    });
  });
  it('an inspected chat template that only formats messages stays safe, with a finding that it is there', async () => {
    const v = await run(gguf(3, 0, 1, gstr('tokenizer.chat_template'), le32(8), gstr('{{ x }}')));
    expect(v.risk).toBe('safe');
    expect(v.findings.map((f) => [f.code, f.severity])).toEqual([['gguf-chat-template', 'info']]);
  });
  it('a chat template too large to inspect is a caution, said as such', async () => {
    const big = '{{ x }}'.padEnd(MAX_GGUF_KEPT_STRING + 10, ' ');
    const v = await run(gguf(3, 0, 1, gstr('tokenizer.chat_template'), le32(8), gstr(big)));
    expect(v.risk).toBe('caution');
    expect(v.findings.map((f) => [f.code, f.severity])).toEqual([['gguf-chat-template', 'warning']]);
    expect(v.findings[0]?.message).toContain('not inspected');
  });
  it('gguf-big-endian: recognised, header only', async () => {
    const v = await run(concat(ascii('GGUF'), new Uint8Array([0, 0, 0, 3]), new Uint8Array(16)));
    expect(v.findings.map((f) => f.code)).toContain('gguf-big-endian');
  });
  const cases: [string, Uint8Array][] = [
    ['gguf-truncated', gguf(3, 0, 2, gstr('a'), le32(4))],
    ['gguf-bad-version', gguf(7, 0, 0)],
    ['gguf-bad-value-type', gguf(3, 0, 1, gstr('a'), le32(13), le32(0))],
    ['gguf-bad-string', gguf(3, 0, 1, le64(2), new Uint8Array([0xff, 0xfe]), le32(0), new Uint8Array(1))],
    ['gguf-limit', gguf(3, MAX_GGUF_TENSORS + 1, 0)],
    ['gguf-bad-tensor-info', gguf(3, 1, 0, gstr('w'), le32(5))],
  ];
  for (const [code, b] of cases) {
    it(`${code} (${b.length} bytes)`, async () => {
      const v = await run(b);
      expect(v.risk).toBe('invalid');
      expect(v.findings.map((f) => f.code)).toContain(code);
    });
  }
});

// ---- npy
const npy = (header: string, data: Uint8Array | number = 0, version = 1) => {
  const pad = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const len = version === 1 ? le16(pad.length) : le32(pad.length);
  return concat(
    bytes([0x93], 'NUMPY', [version, 0]),
    len,
    ascii(pad),
    typeof data === 'number' ? new Uint8Array(data) : data,
  );
};

describe('npy', () => {
  it('a numeric array that fills the file is safe, with dtype and shape', async () => {
    const v = await run(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24));
    expect(v).toMatchObject({
      format: 'numpy',
      risk: 'safe',
      paper: 'numpy',
      details: { dtype: '<f4', shape: [2, 3] },
    });
  });
  it('npy-object-array: an object array carries a pickle', async () => {
    const v = await run(
      npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", bytes([0x80, 0x02], ']\x85.')),
    );
    expect(v.findings.map((f) => f.code)).toContain('npy-object-array');
    expect(v.risk).toBe('unsafe');
  });
  it('structured dtypes with an object field carry a pickle', async () => {
    const v = await run(
      npy(
        "{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }",
        bytes([0x80, 0x02], 'cos\nsystem\n.'),
      ),
    );
    expect(v.risk).toBe('dangerous');
  });
  const cases: [string, Uint8Array][] = [
    ['npy-truncated', bytes([0x93], 'NUMPY', [1])],
    ['npy-bad-version', bytes([0x93], 'NUMPY', [9, 0], le16(0))],
    ['npy-header-too-large', concat(bytes([0x93], 'NUMPY', [2, 0]), le32(MAX_NPY_HEADER + 1))],
    ['npy-bad-header', npy("{'descr': '<f4', 'shape': (2,)")],
    ['npy-bad-dtype', npy("{'descr': '<q9x', 'fortran_order': False, 'shape': (2,), }")],
    ['npy-data-length-mismatch', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 3)],
  ];
  for (const [code, b] of cases) {
    it(`${code} (${b.length} bytes)`, async () => {
      const v = await run(b);
      expect(v.risk).toBe('invalid');
      expect(v.findings.map((f) => f.code)).toContain(code);
    });
  }
  it('parses the Python literals numpy writes, and nothing else', () => {
    expect(parsePyLiteral("{'a': (1, 2), 'b': True, 'c': [('x', '<f4', (2,))], }")).toEqual({
      a: [1, 2],
      b: true,
      c: [['x', '<f4', [2]]],
    });
    expect(parsePyLiteral("{'a': __import__('os')}")).toBeUndefined();
  });
});

// ---- tar
function tarHeader(name: string, size: number, type = '0'): Uint8Array {
  const h = new Uint8Array(512);
  h.set(ascii(name));
  h.set(ascii(size.toString(8).padStart(11, '0') + '\0'), 124);
  h.set(ascii(type), 156);
  h.set(ascii('ustar\x0000'), 257);
  h.fill(0x20, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(ascii(sum.toString(8).padStart(6, '0') + '\0 '), 148);
  return h;
}
const tarMember = (name: string, data: Uint8Array) =>
  concat(tarHeader(name, data.length), data, new Uint8Array((512 - (data.length % 512)) % 512));

describe('tar', () => {
  it('lists members; caution because they are not read', async () => {
    const v = await run(concat(tarMember('a.txt', ascii('hi')), new Uint8Array(1024)));
    expect(v).toMatchObject({ format: 'tar', risk: 'caution', details: { entries: ['a.txt'] } });
  });
  it('reads the pickles of a legacy torch tar', async () => {
    const p = bytes([0x80, 0x02], 'cos\nsystem\n.');
    const v = await run(
      concat(tarMember('sys_info', bytes([0x80, 0x02], '}.')), tarMember('pickle', p), new Uint8Array(1024)),
    );
    expect(v).toMatchObject({ format: 'torch-tar', risk: 'dangerous' });
    expect(v.imports[0]).toMatchObject({ module: 'os', name: 'system', where: 'pickle' });
  });
  it('tar-bad-checksum', async () => {
    const b = concat(tarMember('a', ascii('x')), tarMember('b', ascii('y')));
    b[1024] = (b[1024] ?? 0) ^ 0xff;
    expect(await codes(b)).toContain('tar-bad-checksum');
  });
  it('tar-truncated', async () => {
    expect(await codes(concat(tarHeader('a', 5000), ascii('short')))).toContain('tar-truncated');
  });
  it(`tar-too-many-members (over ${MAX_TAR_MEMBERS})`, async () => {
    const one = tarHeader('m', 0);
    const b = new Uint8Array(512 * (MAX_TAR_MEMBERS + 1));
    for (let i = 0; i <= MAX_TAR_MEMBERS; i++) b.set(one, i * 512);
    expect(await codes(b)).toContain('tar-too-many-members');
  });
});

// ---- Keras
describe('Keras config', () => {
  const cfg = (o: unknown) => ascii(JSON.stringify(o));
  it('built-in layers only: safe', () => {
    expect(
      readKerasConfig(
        cfg({
          module: 'keras',
          class_name: 'Sequential',
          config: { layers: [{ module: 'keras.layers', class_name: 'Dense' }] },
        }),
      ).risk,
    ).toBe('safe');
  });
  it('keras-lambda', () => {
    const r = readKerasConfig(
      cfg({
        class_name: 'Sequential',
        config: { layers: [{ module: 'keras.layers', class_name: 'Lambda' }] },
      }),
    );
    expect(r.risk).toBe('dangerous');
    expect(r.findings.map((f) => f.code)).toContain('keras-lambda');
  });
  it('keras-custom-object', () => {
    const r = readKerasConfig(cfg({ module: 'my_models.layers', class_name: 'Fancy' }));
    expect(r).toMatchObject({ risk: 'caution' });
    expect(r.findings.map((f) => f.code)).toEqual(['keras-custom-object']);
  });
  it('keras-dangerous-module', () => {
    const r = readKerasConfig(cfg({ module: 'os', class_name: 'system' }));
    expect(r.risk).toBe('dangerous');
    expect(r.findings.map((f) => f.code)).toContain('keras-dangerous-module');
  });
  it('a dangerous callable inside Keras, named as a function by its config, is dangerous too', () => {
    // CVE-2025-8747's shape: a function object whose module is Keras's own and whose config is get_file.
    const getFile = {
      module: 'keras.utils',
      class_name: 'function',
      config: 'get_file',
      registered_name: null,
    };
    const r = readKerasConfig(
      cfg({ class_name: 'Sequential', config: { layers: [{ config: { fn: getFile } }] } }),
    );
    expect(r.risk).toBe('dangerous');
    expect(r.findings.find((f) => f.code === 'keras-dangerous-module')?.message).toContain(
      'keras.utils.get_file',
    );
    // builtins is allowed for plain values, not for eval named as a function.
    expect(readKerasConfig(cfg({ module: 'builtins', class_name: 'function', config: 'eval' })).risk).toBe(
      'dangerous',
    );
    // Keras's own activations stay safe.
    const relu = { module: 'keras.src.activations', class_name: 'function', config: 'relu' };
    expect(
      readKerasConfig(cfg({ class_name: 'Dense', module: 'keras.layers', config: { activation: relu } }))
        .risk,
    ).toBe('safe');
  });
  it('a function serialised on its own (__lambda__) carries bytecode like a Lambda layer', () => {
    const r = readKerasConfig(cfg({ class_name: '__lambda__', config: { code: 'YQ==' } }));
    expect(r.risk).toBe('dangerous');
    expect(r.findings.map((f) => f.code)).toContain('keras-lambda');
  });
  it('keras-bad-config', () => {
    expect(readKerasConfig(ascii('{not json')).findings.map((f) => f.code)).toEqual(['keras-bad-config']);
  });
  it('keras-config-limit', () => {
    const r = readKerasConfig(ascii(`[${'0,'.repeat(1_000_001)}0]`));
    expect(r.findings.map((f) => f.code)).toContain('keras-config-limit');
  });
});

// ---- HDF5, ONNX, LFS, unknown
describe('other formats', () => {
  const sig = bytes([0x89], 'HDF\r\n\x1a\n');
  it('HDF5 after a 1024-byte user block: hdf5 by bytes, unknown by the paper rules', async () => {
    const v = await run(concat(new Uint8Array(1024), sig, new Uint8Array(100)));
    expect(v).toMatchObject({
      format: 'hdf5',
      paper: 'unknown',
      risk: 'caution',
      details: { signatureOffset: 1024 },
    });
  });
  it('a Keras config naming a Lambda in an HDF5 file is dangerous', async () => {
    const v = await run(concat(sig, ascii('model_config {"class_name": "Lambda", "config": {}}')));
    expect(v.risk).toBe('dangerous');
  });
  it('ONNX: ir_version, producer and opsets, even after the graph', async () => {
    // ModelProto: ir_version=8, producer_name="t", graph (field 7, 3 bytes), opset_import {domain "", version 17}
    const b = bytes([0x08, 0x08, 0x12, 0x01], 't', [0x3a, 0x03, 0x0a, 0x01, 0x78, 0x42, 0x02, 0x10, 0x11]);
    const v = await run(b, 'm.onnx');
    expect(v).toMatchObject({
      format: 'onnx',
      risk: 'safe',
      details: { irVersion: 8, producer: 't', opsets: ['ai.onnx:17'] },
    });
  });
  it('bytes that start like ONNX but are not protobuf are unknown', async () => {
    expect((await run(bytes([0x08, 0x08, 0xff, 0xff, 0xff]))).format).toBe('unknown');
  });
  it('a Git LFS pointer is not the file', async () => {
    const v = await run(
      ascii(`version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 42\n`),
      'model.bin',
    );
    expect(v).toMatchObject({ format: 'lfs-pointer', risk: 'unknown', details: { pointedSize: 42 } });
  });
  it('HTML, text and empty files are unknown, and say which', async () => {
    expect(await codes(ascii('<!DOCTYPE html><html></html>'))).toEqual(['html']);
    expect(await codes(ascii('hello\n'))).toEqual(['text']);
    expect(await codes(new Uint8Array(0))).toEqual(['empty']);
  });
  it('a transport failure is unknown and says so', async () => {
    const v = await classify({ size: 10, read: () => Promise.reject(new Error('connection reset')) });
    expect(v).toMatchObject({ risk: 'unknown' });
    expect(v.findings[0]?.code).toBe('read-failed');
  });
});

describe('names apart from bytes', () => {
  it('a content verdict carries no name; the same bytes under two names get each name its own findings', async () => {
    const { classifyContent } = await import('../../../lib/formats/classify');
    const { withName } = await import('../../../lib/formats/names');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { FIXTURES_DIR } = await import('../../support/fixtures');
    const bytes = new Uint8Array(fs.readFileSync(path.join(FIXTURES_DIR, 'torch_state_dict.pt')));
    const content = await classifyContent(memorySource(bytes), { name: 'x.safetensors' });
    expect(content.findings.map((f) => f.code)).not.toContain('extension-mismatch');
    expect(content.risk).toBe('unsafe');
    const asPt = withName(content, 'weights/model.pt');
    expect(asPt).toBe(content); // the name agrees: nothing added
    const asSt = withName(content, 'model.safetensors');
    expect(asSt.risk).toBe('dangerous');
    expect(asSt.findings.find((f) => f.code === 'extension-mismatch')?.severity).toBe('danger');
    expect(content.risk).toBe('unsafe'); // the cached verdict is not changed
    expect(withName(content, 'model.h5').risk).toBe('unsafe');
    expect(withName(content, 'model.h5').findings.at(-1)?.message).toBe(
      'named .h5 but the bytes are torch-zip',
    );
    expect(await classify(memorySource(bytes), { name: 'model.safetensors' })).toEqual(asSt);
  });
});
