// The study's rules R1–R5 exactly as written, and the R5 substring search in both its forms.
import { describe, expect, it } from 'vitest';
import { SubstringScanner, bufferSearch, decoderSearch, paperLabel } from '../../../lib/formats/paper-rules';
import { ascii, bytes } from '../../support/bytes';

const label = (
  head: Uint8Array,
  feed: Uint8Array[] = [head],
  extra: Partial<Parameters<typeof paperLabel>[0]> = {},
) => {
  const substrings = new SubstringScanner();
  let at = 0;
  for (const f of feed) {
    substrings.feed(f, at);
    at += f.length;
  }
  return paperLabel({ head, safetensorsJson: false, substrings, ...extra });
};

describe('paper rules', () => {
  it('R1–R5 in order', () => {
    expect(label(bytes([0x93], 'NUMPY'))).toBe('numpy');
    expect(label(bytes([0x89], 'HDF\r\n'))).toBe('hdf5');
    expect(label(bytes('{}'), undefined, { safetensorsJson: true })).toBe('safetensors');
    expect(label(bytes('PK\x03\x04'), undefined, { zipEntries: ['archive/constants.pkl'] })).toBe(
      'torch.jit',
    );
    expect(label(bytes('PK\x03\x04'), undefined, { zipEntries: ['m/code/__torch__/x.py'] })).toBe(
      'torch.jit',
    );
    expect(label(bytes('PK\x03\x04'), undefined, { zipEntries: ['a.npy'], zipHasNumpyEntry: true })).toBe(
      'numpy',
    );
    expect(label(bytes('PK\x03\x04'), undefined, { zipEntries: ['archive/data.pkl'] })).toBe('torch.save');
    expect(label(bytes([0x80, 2], 'cdill._dill\n_load_type\n', [0x94, 0x8c]))).toBe('pickle'); // no \x94\x8c after the name
    expect(label(bytes([0x80, 4, 0x8c, 10], 'dill._dill', [0x94, 0x8c]))).toBe('dill');
    expect(label(bytes([0x80, 2], 'cjoblib.numpy_pickle\n'))).toBe('joblib');
    expect(label(bytes([0x80, 2], 'little_endian protocol_version'))).toBe('pytorch');
    expect(label(bytes([0x80, 2], 'little_endian only'))).toBe('pickle');
    expect(label(bytes('(cos\nsystem\n'))).toBe('unknown'); // protocol 0: R5 needs 0x80 first
  });

  it('finds a needle split across two contiguous chunks, not across a gap', () => {
    const a = ascii('\x80\x02xxjob');
    const b = ascii('lib.numpy_pickle');
    expect(label(a, [a, b])).toBe('joblib');
    const s = new SubstringScanner();
    s.feed(a, 0);
    s.feed(b, 100); // not contiguous
    expect(s.has('joblib')).toBe(false);
  });

  it('the browser search (single-byte decoding) agrees with the Node search on every byte value', () => {
    const all = new Uint8Array(256 * 3);
    for (let i = 0; i < all.length; i++) all[i] = i % 256;
    const withDill = bytes(all, 'dill._dill', [0x94, 0x8c], all);
    const nodeSearch = bufferSearch ?? decoderSearch;
    for (const key of ['dill', 'joblib', 'littleEndian', 'protocolVersion'] as const) {
      for (const hay of [all, withDill]) expect(decoderSearch(hay, key)).toBe(nodeSearch(hay, key));
    }
    expect(decoderSearch(withDill, 'dill')).toBe(true);
    expect(decoderSearch(all, 'dill')).toBe(false);
  });
});
