// One byte-literal test per safetensors error code, in the crate's validation order, and the happy path.
import { describe, expect, it } from 'vitest';
import { classify } from '../../../lib/formats/classify';
import { memorySource } from '../../../lib/formats/bytes';
import { MAX_SAFETENSORS_HEADER, readSafetensors } from '../../../lib/formats/safetensors';
import { bytes, le64, readerOf, safetensors } from '../../support/bytes';

async function code(b: Uint8Array): Promise<string | undefined> {
  return (await readSafetensors(readerOf(b), b.length)).error?.code;
}

describe('safetensors validation', () => {
  it('accepts a valid file and reports tensors, parameters and dtypes', async () => {
    const b = safetensors(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}',
      11,
    );
    const r = await readSafetensors(readerOf(b), b.length);
    expect(r.error).toBeUndefined();
    expect(r.details).toMatchObject({ tensors: 2, parameters: 5, parametersByDtype: { F32: 2, U8: 3 } });
  });

  const cases: [string, Uint8Array][] = [
    ['safetensors-too-small', bytes([1, 2, 3])],
    ['safetensors-header-too-large', bytes(le64(MAX_SAFETENSORS_HEADER + 1), '{}')],
    ['safetensors-header-past-end', bytes(le64(100), '{}')],
    ['safetensors-header-not-utf8', bytes(le64(2), [0xff, 0xfe])],
    ['safetensors-header-not-json', safetensors('{"a":')],
    ['safetensors-header-not-object', safetensors('[1,2]')],
    ['safetensors-bad-metadata', safetensors('{"__metadata__":{"k":1}}')],
    ['safetensors-bad-entry', safetensors('{"a":5}')],
    [
      'safetensors-unknown-dtype',
      safetensors('{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', 16),
    ],
    ['safetensors-bad-shape', safetensors('{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}', 1)],
    ['safetensors-bad-offsets', safetensors('{"a":{"dtype":"U8","shape":[1],"data_offsets":[2,1]}}', 2)],
    [
      'safetensors-offsets-not-contiguous',
      safetensors(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
        3,
      ),
    ],
    ['safetensors-size-mismatch', safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4)],
    ['safetensors-misaligned', safetensors('{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', 2)],
    [
      'safetensors-data-length-mismatch',
      safetensors('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', 5),
    ],
  ];
  for (const [expected, b] of cases) {
    it(`${expected} (${b.length} bytes)`, async () => {
      expect(await code(b)).toBe(expected);
    });
  }

  it('safetensors-too-many-tensors stops a header with more entries than the limit', async () => {
    const entries = Array.from({ length: 1_000_002 }, (_, i) => `"t${i}":0`).join(',');
    expect(await code(safetensors(`{${entries}}`))).toBe('safetensors-too-many-tensors');
  });

  it('safetensors-shared-tensors: names dropped in conversion, recorded in __metadata__', async () => {
    const b = safetensors(
      '{"__metadata__":{"format":"pt","lm_head.weight":"embed.weight"},"embed.weight":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
      1,
    );
    const r = await readSafetensors(readerOf(b), b.length);
    expect(r.findings.map((f) => f.code)).toEqual(['safetensors-shared-tensors']);
  });

  it('safetensors-suspicious-metadata: code in metadata is a finding; the format still cannot run it', async () => {
    const b = safetensors(
      '{"__metadata__":{"info":"import os; os.system(1)","about":"an import statement"}}',
    );
    const r = await readSafetensors(readerOf(b), b.length);
    expect(r.error).toBeUndefined();
    expect(r.findings.map((f) => f.code)).toEqual(['safetensors-suspicious-metadata']);
    expect(r.findings[0]?.message).toContain('"info"');
    expect(r.findings[0]?.message).not.toContain('"about"');
  });

  it('a gap between tensors is as wrong as an overlap', async () => {
    expect(await code(safetensors('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2))).toBe(
      'safetensors-offsets-not-contiguous',
    );
  });

  it('R3 counts any well-formed JSON, even one the crate rejects', async () => {
    const array = safetensors('[1,2]');
    const broken = safetensors('{"a":');
    expect((await readSafetensors(readerOf(array), array.length)).paperJson).toBe(true);
    expect((await readSafetensors(readerOf(broken), broken.length)).paperJson).toBe(false);
  });

  it('through classify: invalid verdicts name the broken check', async () => {
    const b = safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4);
    const v = await classify(memorySource(b), { name: 'model.safetensors' });
    expect(v).toMatchObject({ format: 'safetensors', risk: 'invalid', paper: 'safetensors' });
    expect(v.findings[0]?.code).toBe('safetensors-size-mismatch');
  });
});
