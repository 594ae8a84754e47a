// The stream decoders (bzip2.ts, lzma.ts, lz4.ts; fzstd and fflate beside them) on what the real libraries
// wrote (test/fixtures/wave2): pandas writes the same pickle under every compression, and joblib the same
// pickle of one pipeline under each of its compressors, so each decoded stream must equal the others byte for
// byte — whatever size the input comes in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reader, memorySource } from '../../../lib/formats/bytes';
import { classify } from '../../../lib/formats/classify';
import { DecompressedSource } from '../../../lib/formats/compressed';
import { Bzip2Decoder } from '../../../lib/formats/bzip2';
import { Lz4FrameDecoder } from '../../../lib/formats/lz4';
import { LzmaAloneDecoder, MAX_DICTIONARY, XzDecoder } from '../../../lib/formats/lzma';
import { WAVE2_DIR } from '../../support/fixtures';

const file = (name: string) => new Uint8Array(readFileSync(join(WAVE2_DIR, 'files', name)));

/** Everything a DecompressedSource gives, read forward in pieces of `step`. */
async function inflate(
  bytes: Uint8Array,
  kind: 'gzip' | 'bz2' | 'xz' | 'lzma' | 'lz4' | 'zstd',
  step = 1 << 16,
) {
  const src = new DecompressedSource(new Reader(memorySource(bytes), bytes.length), kind, 0, bytes.length);
  const parts: Uint8Array[] = [];
  for (let at = 0; ; at += step) {
    const got = await src.read(at, at + step);
    if (!got.length) break;
    parts.push(got);
  }
  return Buffer.concat(parts);
}

type Kind = 'bz2' | 'xz' | 'lzma' | 'lz4';
const decoders: Record<
  Kind,
  (ondata: (c: Uint8Array, f: boolean) => void) => { push(c: Uint8Array, f: boolean): void; pending: boolean }
> = {
  bz2: (o) => new Bzip2Decoder(o),
  xz: (o) => new XzDecoder(o),
  lzma: (o) => new LzmaAloneDecoder(o),
  lz4: (o) => new Lz4FrameDecoder(o),
};

/** A decoder fed `step` bytes at a time (and drained while it holds input back). */
function feed(kind: Kind, bytes: Uint8Array, step: number): { out: Buffer; ended: boolean } {
  const parts: Uint8Array[] = [];
  let ended = false;
  const d = decoders[kind]((c, f) => {
    parts.push(c);
    ended ||= f;
  });
  for (let at = 0; at < bytes.length; at += step) {
    const final = at + step >= bytes.length;
    d.push(bytes.subarray(at, at + step), final);
    while (d.pending) d.push(new Uint8Array(0), final);
  }
  return { out: Buffer.concat(parts), ended };
}

describe('stream decoders', () => {
  it("pandas' pickle is the same bytes under gzip, bzip2, xz and Zstandard", async () => {
    const plain = Buffer.from(file('pandas_frame.pkl'));
    expect(await inflate(file('pandas_frame.pkl.gz'), 'gzip')).toEqual(plain);
    expect(await inflate(file('pandas_frame.pkl.bz2'), 'bz2')).toEqual(plain);
    expect(await inflate(file('pandas_frame.pkl.xz'), 'xz')).toEqual(plain);
    expect(await inflate(file('pandas_frame.pkl.zst'), 'zstd')).toEqual(plain);
  });

  it("joblib's pickle of one pipeline is the same under bz2, xz, lzma and lz4, in any input sizes", () => {
    const outs = (['bz2', 'xz', 'lzma', 'lz4'] as const).flatMap((k) =>
      [1, 13, 4096, 1 << 20].map((step) => {
        const r = feed(k, file(`sklearn_pipeline_${k}.joblib`), step);
        expect(r.ended, `${k} ${step}`).toBe(true);
        return r.out;
      }),
    );
    expect(outs[0]?.length).toBeGreaterThan(1000);
    expect(outs[0]?.[0]).toBe(0x80); // PROTO: a pickle
    for (const o of outs) expect(o).toEqual(outs[0]);
  });

  it('a stream cut short is a finding, never a throw; what came before it is still judged', async () => {
    for (const name of [
      'joblib_bz2_evil.joblib',
      'joblib_xz_evil.joblib',
      'joblib_lzma_evil.joblib',
      'joblib_lz4_evil.joblib',
    ]) {
      const whole = file(name);
      for (const cut of [12, Math.floor(whole.length / 2), whole.length - 1]) {
        const bytes = whole.subarray(0, cut);
        const v = await classify(memorySource(bytes), { name });
        expect(v.risk, `${name} cut at ${cut}`).not.toBe('safe');
      }
      // The decoder itself says the stream ended early (its last bytes may be a footer it need not read).
      expect(() => feed(name.split('_')[1] as Kind, whole.subarray(0, whole.length >> 1), 64)).toThrow(/end/);
    }
  });

  it('refuses an LZMA dictionary over the bound, and corrupt starts, with a reason', () => {
    const alone = new Uint8Array(13 + 5 + 10);
    alone[0] = 0x5d;
    new DataView(alone.buffer).setUint32(1, MAX_DICTIONARY * 2, true);
    alone.fill(0xff, 5, 13);
    expect(() => feed('lzma', alone, 1024)).toThrow(/dictionary/);
    expect(() => feed('xz', new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 1, 0, 0, 0, 0, 0, 0]), 64)).toThrow(
      /xz/,
    );
    expect(() =>
      feed('lz4', new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x40, 0x10, 0, 0, 0, 0, 0]), 64),
    ).toThrow(/block size/);
    expect(() => feed('bz2', new Uint8Array([0x42, 0x5a, 0x68, 0x30, 1, 2, 3]), 64)).toThrow(/block size/);
  });
});

describe('7z packed streams', () => {
  const sevenZip = (packed: number[]) => {
    const sig = new Uint8Array(32);
    sig.set([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]);
    new DataView(sig.buffer).setBigUint64(12, BigInt(packed.length), true); // the next header's offset
    new DataView(sig.buffer).setBigUint64(20, 1n, true);
    return new Uint8Array([...sig, ...packed, 0x01]);
  };

  it('a stream of another coder (LZMA, which opens with a zero byte) is said not decoded', async () => {
    const v = await classify(memorySource(sevenZip([0, 1, 2, 3, 4, 5, 6, 7])), { name: 'a.7z' });
    expect(v.risk).toBe('caution');
    expect(v.findings.find((f) => f.code === 'archive-not-read')?.message).toContain('not LZMA2');
  });

  it('an LZMA2 stream that breaks is said where it stopped, and what came before it was looked at', async () => {
    // A stored chunk with a pickle of plain data, then a bad control byte.
    const pickle = [0x80, 0x02, 0x7d, 0x2e]; // PROTO 2, EMPTY_DICT, STOP
    const v = await classify(memorySource(sevenZip([0x01, 0x00, pickle.length - 1, ...pickle, 0x7f])), {
      name: 'a.7z',
    });
    const message = v.findings.find((f) => f.code === 'archive-not-read')?.message ?? '';
    expect(message).toContain('1 pickle(s) found');
    expect(message).toMatch(/did not decode past byte 4 \(a bad LZMA2 control byte 127\)/);
  });
});
