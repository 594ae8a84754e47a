// Conversion checks on files written by the real torch and the real safetensors (test/fixtures/conversion):
// the tensor table read from data.pkl, every case's verdict, a changed value in a compared window always
// caught, the limit of sampling shown, and bad input answered with a verdict.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reader, memorySource } from '../../../lib/formats/bytes';
import {
  VERIFY_BUDGET,
  elementText,
  verifyConversion,
  type VerifyGroup,
} from '../../../lib/formats/conversion';
import { torchLegacyTensors, torchTensors } from '../../../lib/formats/torch-tensors';
import { locateData, readZipIndex } from '../../../lib/formats/zip';
import type { ByteSource } from '../../../lib/formats/types';
import { conversionManifest } from '../../hub/conversion-repos';
import { CONVERSION_DIR } from '../../support/fixtures';
import { rng } from '../../support/fuzz';

const caseDir = (name: string) => join(CONVERSION_DIR, 'cases', name);
const read = (path: string) => new Uint8Array(readFileSync(path));

/** A case as the Hub side would group it: the PR's safetensors against the base's .bin files. */
function group(name: string, edit?: (path: string, bytes: Uint8Array) => Uint8Array): VerifyGroup {
  const files = (side: string, ext: string) =>
    readdirSync(join(caseDir(name), side))
      .filter((f) => f.endsWith(ext))
      .sort()
      .map((f) => {
        const bytes = edit ? edit(f, read(join(caseDir(name), side, f))) : read(join(caseDir(name), side, f));
        return { path: f, source: memorySource(bytes), size: bytes.length };
      });
  const indexPath = join(caseDir(name), 'pr', 'model.safetensors.index.json');
  const index = readdirSync(join(caseDir(name), 'pr')).includes('model.safetensors.index.json')
    ? { path: 'model.safetensors.index.json', text: readFileSync(indexPath, 'utf8') }
    : undefined;
  return { converted: files('pr', '.safetensors'), original: files('base', '.bin'), index };
}

async function table(path: string) {
  const b = read(path);
  return torchTensors(new Reader(memorySource(b), b.length), b.length);
}

describe('the tensor table of a torch.save zip (data.pkl, no tensor data read)', () => {
  it('names, dtypes, shapes, strides, offsets and shared storages, as torch wrote them', async () => {
    const t = await table(join(caseDir('tied'), 'base', 'pytorch_model.bin'));
    if (!t.ok) throw new Error(t.message);
    const by = new Map(t.tensors.map((x) => [x.name, x]));
    expect(t.tensors).toHaveLength(20);
    expect(by.get('embed_tokens.weight')).toMatchObject({
      dtype: 'F32',
      shape: [64, 16],
      stride: [16, 1],
      offset: 0,
    });
    // Tied: the same storage object.
    expect(by.get('lm_head.weight')?.storage).toBe(by.get('embed_tokens.weight')?.storage);
    // A transposed view of its own storage, and a view at an offset into a larger one.
    expect(by.get('layers.0.mlp.down.weight')).toMatchObject({ shape: [16, 64], stride: [1, 16] });
    expect(by.get('pooler.weight')).toMatchObject({ shape: [4, 16], offset: 48 });
    expect(by.get('pooler.weight')?.storage.numel).toBe(160);
    expect(
      Object.fromEntries(
        [
          'layers.0.attn.o_proj.weight',
          'layers.0.mlp.up.weight',
          'position_ids',
          'attention_mask',
          'scale',
          'counts',
        ].map((n) => [n, by.get(n)?.dtype]),
      ),
    ).toEqual({
      'layers.0.attn.o_proj.weight': 'F16',
      'layers.0.mlp.up.weight': 'BF16',
      position_ids: 'I64',
      attention_mask: 'BOOL',
      scale: 'F64',
      counts: 'I32',
    });
    expect(by.get('scale')?.shape).toEqual([]);
    expect(t.byteorder).toBe('little');
    expect(t.unwrapped).toBeUndefined();
  });

  it('unwraps a {"state_dict": …} checkpoint as the converter does', async () => {
    const t = await table(join(caseDir('wrapped'), 'base', 'pytorch_model.bin'));
    expect(t.ok && t.unwrapped).toBe('state_dict');
    expect(t.ok && t.tensors.length).toBe(20);
    expect(t.ok && t.opaque).toEqual([]);
  });

  it('the legacy format: its five pickles read, each storage located after its count', async () => {
    const path = join(caseDir('legacy'), 'base', 'pytorch_model.bin');
    expect(await table(path)).toMatchObject({ ok: false, code: 'not-a-zip' });
    const b = read(path);
    const t = await torchLegacyTensors(new Reader(memorySource(b), b.length), b.length);
    if (!t.ok) throw new Error(t.message);
    expect(t.tensors).toHaveLength(20);
    // The storages follow the pickles in the order of the sorted keys, each an 8-byte count and its bytes:
    // the last one ends at the end of the file.
    const last = [...t.storages.values()].sort((x, y) => (x.countAt ?? 0) - (y.countAt ?? 0)).at(-1);
    expect((last?.countAt ?? 0) + 8 + (last?.numel ?? 0) * (last?.itemsize ?? 0)).toBe(b.length);
  });

  it('says what it cannot read: not a checkpoint, a truncated legacy file', async () => {
    const notZip = await torchTensors(new Reader(memorySource(new Uint8Array(100)), 100), 100);
    expect(notZip.ok).toBe(false);
    const b = read(join(caseDir('legacy'), 'base', 'pytorch_model.bin')).subarray(0, 5000);
    expect(await torchLegacyTensors(new Reader(memorySource(b), b.length), b.length)).toMatchObject({
      ok: false,
      code: 'legacy-unreadable',
    });
    const r = await verifyConversion([
      {
        ...group('legacy'),
        original: [{ path: 'pytorch_model.bin', source: memorySource(b), size: b.length }],
      },
    ]);
    expect(r).toMatchObject({ verdict: 'unverifiable', reasonCode: 'legacy-format' });
    expect(r.reason).toMatch(
      /legacy \(pre-1\.6\) format, and the storages need \d+ bytes; the file has 5000/,
    );
    const plain = new Uint8Array([0x80, 2, 0x4b, 1, 0x2e]); // pickle.dumps(1)
    const p2 = await verifyConversion([
      { ...group('legacy'), original: [{ path: 'x.bin', source: memorySource(plain), size: plain.length }] },
    ]);
    expect(p2).toMatchObject({ verdict: 'unverifiable', reasonCode: 'unsupported-original' });
  });
});

describe('verifyConversion on every case of the fixtures', () => {
  for (const c of conversionManifest().cases) {
    it(`${c.name}: ${c.verdict}${c.kinds.length ? ` (${c.kinds.join(', ')})` : ''}`, async () => {
      const r = await verifyConversion([group(c.name)]);
      expect(r.verdict).toBe(c.verdict);
      expect([...new Set(r.differences.map((d) => d.kind))].sort()).toEqual([...c.kinds].sort());
      if (c.reason) expect(r.reasonCode).toBe(c.reason);
      expect(r.bytesRead).toBeLessThanOrEqual(VERIFY_BUDGET);
      if (c.verdict.startsWith('equivalent')) {
        expect(r.compared).toBe(r.tensors);
        expect(r.sampledBytes).toBeGreaterThan(0);
      }
    });
  }

  it('reports the declared tie and the unwrapping', async () => {
    const r = await verifyConversion([group('wrapped')]);
    expect(r.ties).toEqual([{ removed: 'lm_head.weight', kept: 'embed_tokens.weight' }]);
    expect(r.unwrapped).toBe('state_dict');
  });

  it('names the changed element and both values', async () => {
    const r = await verifyConversion([group('value-changed')]);
    const v = r.differences.find((d) => d.kind === 'value');
    expect(v?.tensor).toBe('layers.1.attn.q_proj.weight');
    expect(v?.detail).toMatch(
      /^layers\.1\.attn\.q_proj\.weight\[0, 0\] is (-?[\d.]+) in the checkpoint and (-?[\d.]+) in the conversion$/,
    );
    const [, a, b] = /is (-?[\d.]+) in the checkpoint and (-?[\d.]+)/.exec(v?.detail ?? '') ?? [];
    expect(Number(b) - Number(a)).toBeCloseTo(1, 4);
  });
});

describe('sampling', () => {
  /** The windows a verification compares, per file: [begin, end) of the conversion's bytes. */
  async function windows(name: string): Promise<Map<string, [number, number][]>> {
    const seen = new Map<string, [number, number][]>();
    const r = await verifyConversion([group(name)], {
      onSample: (path, b, e) => seen.set(path, [...(seen.get(path) ?? []), [b, e]]),
    });
    expect(r.verdict.startsWith('equivalent')).toBe(true);
    return seen;
  }

  it('catches a single changed byte anywhere inside a compared window (60 random places, 3 conversions)', async () => {
    const next = rng(14);
    for (const name of ['tied', 'untied', 'sharded']) {
      const seen = await windows(name);
      const paths = [...seen.keys()];
      for (let i = 0; i < 20; i++) {
        const path = paths[Math.floor(next() * paths.length)] as string;
        const list = seen.get(path) ?? [];
        const [b, e] = list[Math.floor(next() * list.length)] as [number, number];
        const at = b + Math.floor(next() * (e - b));
        const r = await verifyConversion([
          group(name, (f, bytes) => {
            if (f !== path) return bytes;
            const copy = bytes.slice();
            copy[at] = (copy[at] ?? 0) ^ (1 + Math.floor(next() * 255));
            return copy;
          }),
        ]);
        expect(r.verdict, `${name} ${path} byte ${at}`).toBe('differs');
        expect(r.differences.map((d) => d.kind)).toEqual(
          expect.arrayContaining([expect.stringMatching(/^(value|declared-tie)$/)]),
        );
      }
    }
  });

  it('does not see a change outside every window (the limit README states)', async () => {
    const seen = await windows('untied');
    const list = (seen.get('model.safetensors') ?? []).sort((a, b) => a[0] - b[0]);
    // The first byte after a window that no window covers, inside the tensor data.
    const gap = list.find((w, i) => (list[i + 1]?.[0] ?? Infinity) > w[1] + 4)?.[1] as number;
    expect(gap).toBeGreaterThan(0);
    const r = await verifyConversion([
      group('untied', (f, b) => {
        if (f !== 'model.safetensors') return b;
        const copy = b.slice();
        copy[gap] = (copy[gap] ?? 0) ^ 0xff;
        return copy;
      }),
    ]);
    expect(r.verdict).toBe('equivalent');
    expect(r.coverage).toBeLessThan(1);
  });
});

describe('bad input gets a verdict', () => {
  it('a budget too small for the tensors: unverifiable, over budget', async () => {
    const r = await verifyConversion([group('tied')], { budget: 30_000 });
    expect(r).toMatchObject({ verdict: 'unverifiable', reasonCode: 'over-budget' });
    expect(r.reason).toMatch(/tensors need at least \d+ bytes/);
  });

  it('a truncated conversion, a header that claims 50 MB, an empty group', async () => {
    const trunc = await verifyConversion([
      group('tied', (f, b) => (f.endsWith('.safetensors') ? b.subarray(0, 5000) : b)),
    ]);
    expect(trunc.verdict).toBe('differs');
    expect(trunc.differences[0]?.kind).toBe('format');
    const head = new Uint8Array(64);
    new DataView(head.buffer).setBigUint64(0, 50_000_000n, true);
    const huge: ByteSource = {
      size: 50_001_000,
      read: (s, e) => Promise.resolve(head.slice(s, Math.min(e, 64))),
    };
    const r = await verifyConversion([
      { ...group('tied'), converted: [{ path: 'model.safetensors', source: huge }] },
    ]);
    expect(r).toMatchObject({ verdict: 'unverifiable', reasonCode: 'header-too-large' });
    expect(r.bytesRead).toBeLessThan(50_000); // the checkpoint's structure; of the 50 MB header, 8 bytes
    expect((await verifyConversion([{ converted: [], original: [] }])).verdict).toBe('unverifiable');
  });

  it('random damage to either file never throws (300 mutations)', async () => {
    const next = rng(1414);
    for (let i = 0; i < 300; i++) {
      const side = next() < 0.5 ? '.bin' : '.safetensors';
      const r = await verifyConversion([
        group('tied', (f, b) => {
          if (!f.endsWith(side)) return b;
          const copy = b.slice(0, next() < 0.2 ? Math.floor(next() * b.length) : b.length);
          for (let k = 0; k < 1 + next() * 8; k++)
            copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
          return copy;
        }),
      ]);
      expect(['equivalent', 'equivalent-with-ties', 'differs', 'unverifiable']).toContain(r.verdict);
      expect(r.bytesRead).toBeLessThanOrEqual(VERIFY_BUDGET + 64 * 1024);
    }
  });

  it('random damage to data.pkl alone: the tensor table is read or refused, never a throw (500 mutations)', async () => {
    const file = read(join(caseDir('tied'), 'base', 'pytorch_model.bin'));
    const index = await readZipIndex(new Reader(memorySource(file), file.length), file.length);
    const pkl = index?.entries.find((e) => e.name.endsWith('data.pkl'));
    if (!pkl) throw new Error('no data.pkl');
    const start = (await locateData(new Reader(memorySource(file), file.length), pkl)) as number;
    const next = rng(1415);
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      const copy = file.slice();
      for (let k = 0; k < 1 + next() * 4; k++)
        copy[start + Math.floor(next() * pkl.size)] = Math.floor(next() * 256);
      const t = await torchTensors(new Reader(memorySource(copy), copy.length), copy.length);
      if (!t.ok) refused++;
      const r = await verifyConversion([
        {
          ...group('tied'),
          original: [{ path: 'pytorch_model.bin', source: memorySource(copy), size: copy.length }],
        },
      ]);
      expect(['equivalent-with-ties', 'differs', 'unverifiable']).toContain(r.verdict);
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('a sample read that fails after its retries is asked once more; what still fails leaves its tensor unverified', async () => {
    const flaky = (fail: (n: number) => boolean): VerifyGroup => {
      const g = group('tied');
      const f = g.converted[0];
      if (!f) throw new Error('no file');
      let n = 0;
      const inner = f.source;
      const source: ByteSource = {
        size: inner.size,
        read: (s, e) => (fail(++n) ? Promise.reject(new Error('HTTP 416 again')) : inner.read(s, e)),
      };
      return { ...g, converted: [{ ...f, source }] };
    };
    // The header takes reads 1 and 2; the samples' first read fails, the second asking of each window passes.
    const once = await verifyConversion([flaky((n) => n === 3)]);
    expect(once.verdict).toBe('equivalent-with-ties');
    expect(once.compared).toBe(once.tensors);
    expect(once.unreadSamples).toBeUndefined();
    // Every sample read fails: nothing was compared, and the verdict says so.
    const all = await verifyConversion([flaky((n) => n > 2)]);
    expect(all).toMatchObject({ verdict: 'unverifiable', reasonCode: 'unreadable' });
    expect(all.reason).toMatch(/^the samples of 20 tensor\(s\) could not be read/);
    expect(all.unreadSamples).toBeGreaterThan(0);
  });

  it('element values in words, per dtype', () => {
    const f32 = new Uint8Array(new Float32Array([1.5]).buffer);
    expect(elementText('F32', f32)).toBe('1.5');
    expect(elementText('F16', new Uint8Array([0x00, 0x3c]))).toBe('1');
    expect(elementText('BF16', new Uint8Array([0xc0, 0x3f]))).toBe('1.5');
    expect(elementText('I64', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('-1');
    expect(elementText('BOOL', new Uint8Array([1]))).toBe('True');
  });
});
