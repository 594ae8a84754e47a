// Differential test: 400 random valid pickles (fast-check, test/fixtures/dis/generate.ts) disassemble in
// Picklens, from the pickle machine's own opcode boundaries, exactly as CPython's pickletools.dis lists
// them (test/fixtures/dis/reference.json, written once by reference.py and committed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { disassemble, pyFloatRepr, pyStrRepr } from '../../../lib/formats/pickle-dis';

const dir = join(import.meta.dirname, '../../fixtures/dis');
const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as {
  cases: { name: string; hex: string }[];
};
const { listings } = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
  listings: Record<string, string>;
};

describe('pickletools.dis, differentially', () => {
  it('has 400 cases covering every opcode but the buffer ones', () => {
    expect(cases).toHaveLength(400);
    const names = new Set(
      Object.values(listings).flatMap((l) =>
        [...l.matchAll(/^\s*\d+: \S+\s+([A-Z_0-9]+)/gm)].map((m) => m[1]),
      ),
    );
    for (const op of [
      'INT',
      'LONG',
      'LONG1',
      'LONG4',
      'STRING',
      'SHORT_BINSTRING',
      'BINSTRING',
      'UNICODE',
      'BINUNICODE8',
      'BYTEARRAY8',
      'FLOAT',
      'BINFLOAT',
      'GET',
      'LONG_BINGET',
      'PUT',
      'LONG_BINPUT',
      'MEMOIZE',
      'EXT4',
      'INST',
      'OBJ',
      'NEWOBJ_EX',
      'FRAME',
      'PERSID',
      'BINPERSID',
      'FROZENSET',
      'ADDITEMS',
    ]) {
      expect(names, op).toContain(op);
    }
  });

  for (const c of cases) {
    it(c.name, async () => {
      expect(await disassemble(Buffer.from(c.hex, 'hex'))).toBe(listings[c.name]);
    });
  }

  it('reprs like Python', () => {
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1e15)).toBe('1000000000000000.0');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00001)).toBe('1e-05');
    expect(pyFloatRepr(-1.5e-300)).toBe('-1.5e-300');
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('a\u00a0\u2028😀')).toBe("'a\\xa0\\u2028😀'");
  });
});
