// Hostile memo use (issue 12): scattered indices cost memory per PUT, not 512 KiB chunks filled up front;
// huge indices past every bound overflow the memo instead of the runtime's Map, the verdict is cached, and
// a dangerous import placed after the spray is still found.
import { describe, expect, it } from 'vitest';
import { Reader, memorySource } from '../../../lib/formats/bytes';
import { classify, fromFailedRead } from '../../../lib/formats/classify';
import { MAX_SPARSE_MEMO, walkPickle } from '../../../lib/formats/pickle';

const enc = (s: string) => new TextEncoder().encode(s);
function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
/** GLOBAL os system, the string 'id', TUPLE1, REDUCE, STOP: a call of os.system. */
const PAYLOAD = [...enc('cos\nsystem\n'), 0x58, ...u32(2), ...enc('id'), 0x85, 0x52];

describe('memo sprays', () => {
  it('an 8 KiB pickle of scattered memo indices holds a few MiB, not hundreds', async () => {
    const ops: number[] = [0x80, 0x02];
    // BINUNICODE 'a', LONG_BINPUT at a new 64 Ki-aligned index, POP: 12 bytes each.
    for (let i = 0; ops.length + 12 < 8192 - 1; i++)
      ops.push(0x58, ...u32(1), 0x61, 0x72, ...u32(i * 65536), 0x30);
    ops.push(0x4e, 0x2e); // NONE, STOP
    const bytes = new Uint8Array(ops);
    expect(bytes.length).toBeLessThanOrEqual(8192);
    const r = await walkPickle(new Reader(memorySource(bytes), bytes.length), 0);
    expect(r.complete).toBe(true);
    // One 1,024-slot chunk per PUT at most (8 bytes a slot) and a presence bitmap of at most 8 MiB.
    expect(r.memoSlots * 8).toBeLessThan(8 * 1024 * 1024);
  });

  it('huge memo indices past every bound: a cached verdict, the payload after them still found', async () => {
    const n = MAX_SPARSE_MEMO + 10;
    const head = [0x80, 0x02, 0x58, ...u32(1), 0x61]; // PROTO 2, BINUNICODE 'a'
    const spray = new Uint8Array(n * 5);
    for (let i = 0; i < n; i++) spray.set([0x72, ...u32(2 ** 27 + i * 7)], i * 5); // LONG_BINPUT far apart
    const tail = [0x30, ...PAYLOAD, 0x2e]; // POP, the payload, STOP
    const bytes = new Uint8Array([...head, ...spray, ...tail]);
    const v = await classify(
      { size: bytes.length, read: (s, e) => memorySource(bytes).read(s, e) },
      { name: 'x.pkl' },
    );
    expect(v.risk).toBe('dangerous');
    expect(v.imports.map((i) => `${i.module}.${i.name}`)).toContain('os.system');
    expect(v.findings.map((f) => f.code)).toContain('pickle-memo-overflow');
    expect(fromFailedRead(v)).toBe(false);
  });

  it('after an overflow, a forgotten entry reads back opaque: an import through it is still dangerous', async () => {
    const n = MAX_SPARSE_MEMO + 1;
    const head = [0x80, 0x04, 0x4e]; // PROTO 4, NONE
    const spray = new Uint8Array(n * 5);
    for (let i = 0; i < n; i++) spray.set([0x72, ...u32(2 ** 27 + i)], i * 5);
    const far = 2 ** 27 + n + 5;
    // POP; 'os' PUT at a far index (forgotten); POP; GET it back, 'system', STACK_GLOBAL, STOP.
    const tail = [
      0x30,
      0x8c,
      2,
      ...enc('os'),
      0x72,
      ...u32(far),
      0x30,
      0x6a,
      ...u32(far),
      0x8c,
      6,
      ...enc('system'),
      0x93,
      0x2e,
    ];
    const bytes = new Uint8Array([...head, ...spray, ...tail]);
    const v = await classify(
      { size: bytes.length, read: (s, e) => memorySource(bytes).read(s, e) },
      { name: 'x.pkl' },
    );
    expect(v.findings.map((f) => f.code)).toContain('pickle-memo-overflow');
    expect(v.risk).toBe('dangerous');
  });

  it('memo presence is exact before and after the first gap in its indices (dense, then bits)', async () => {
    const walk = async (ops: number[]) => {
      const bytes = new Uint8Array([0x80, 0x04, ...ops, 0x2e]);
      return walkPickle(new Reader(memorySource(bytes), bytes.length), 0);
    };
    // NONE MEMOIZE ×3 (indices 0, 1, 2 in order), POP, BINGET 2: present.
    expect((await walk([0x4e, 0x94, 0x94, 0x94, 0x30, 0x68, 2])).errors).toEqual([]);
    // …BINGET 3: never written.
    expect((await walk([0x4e, 0x94, 0x94, 0x94, 0x30, 0x68, 3])).errors[0]?.code).toBe('pickle-memo-missing');
    // A gap: BINPUT 5 after indices 0–1; then 0, 1 and 5 are present, 2–4 are not, and MEMOIZE fills 3.
    const gap = [0x4e, 0x94, 0x94, 0x71, 5];
    for (const idx of [0, 1, 5]) expect((await walk([...gap, 0x68, idx])).errors).toEqual([]);
    for (const idx of [2, 4])
      expect((await walk([...gap, 0x68, idx])).errors[0]?.code).toBe('pickle-memo-missing');
    // Eleven in order (whole bytes of bits and a part of one), then a gap: all eleven still present.
    const long = [0x4e, ...Array<number>(11).fill(0x94), 0x71, 40];
    for (const idx of [0, 7, 8, 10, 40]) expect((await walk([...long, 0x68, idx])).errors).toEqual([]);
    expect((await walk([...long, 0x68, 11])).errors[0]?.code).toBe('pickle-memo-missing');
    // MEMOIZE uses the memo's size (3 entries: 0, 1, 5) as its index.
    expect((await walk([...gap, 0x94, 0x68, 3])).errors).toEqual([]);
    expect((await walk([...gap, 0x94, 0x68, 2])).errors[0]?.code).toBe('pickle-memo-missing');
  });
});
