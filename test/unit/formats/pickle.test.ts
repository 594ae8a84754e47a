// The symbolic pickle machine: one byte-literal test per error code, and the resolution of what is really
// imported and called (memo round trips, STACK_GLOBAL operands, INST/OBJ, marks).
import { describe, expect, it } from 'vitest';
import { classify } from '../../../lib/formats/classify';
import { memorySource } from '../../../lib/formats/bytes';
import { MAX_LINE, MAX_MEMO_STRINGS, MAX_STACK, walkPickle } from '../../../lib/formats/pickle';
import { OPCODES } from '../../../lib/formats/pickle-ops';
import { bytes, le32, le64, readerOf } from '../../support/bytes';

const walk = (b: Uint8Array) => walkPickle(readerOf(b), 0);
const errorCode = async (b: Uint8Array) => (await walk(b)).errors[0]?.code;
const imports = async (b: Uint8Array) =>
  (await walk(b)).imports.map((i) => `${i.module}.${i.name}:${i.safety}`);

describe('pickle opcode table', () => {
  it('has the 68 opcodes of CPython pickletools, protocols 0 to 5', () => {
    const ops = OPCODES.filter((o) => o !== undefined);
    expect(ops).toHaveLength(68);
    expect(new Set(ops.map((o) => o.proto))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });
});

describe('pickle error codes', () => {
  const cases: [string, Uint8Array][] = [
    ['pickle-truncated', bytes([0x80, 0x02], 'K')],
    ['pickle-bad-opcode', bytes([0x80, 0x02, 0xff])],
    ['pickle-stack-underflow', bytes([0x80, 0x02], 'R.')],
    ['pickle-no-mark', bytes([0x80, 0x02], ']e.')],
    ['pickle-memo-missing', bytes([0x80, 0x02], 'h', [5], '.')],
    ['pickle-bad-argument', bytes('I12x\n.')],
    [
      'joblib-array-unknown',
      bytes([0x80, 0x02], 'cjoblib.numpy_pickle\nNumpyArrayWrapper\n)', [0x81], '}b.'),
    ],
  ];
  for (const [code, b] of cases) {
    it(`${code} (${b.length} bytes)`, async () => {
      expect(await errorCode(b)).toBe(code);
    });
  }

  it(`pickle-line-too-long: a protocol 0 line longer than ${MAX_LINE} bytes`, async () => {
    expect(await errorCode(bytes('S', 'a'.repeat(MAX_LINE + 10)))).toBe('pickle-line-too-long');
  });

  it(`pickle-limit: a stack deeper than ${MAX_STACK}`, async () => {
    expect(await errorCode(bytes('N'.repeat(MAX_STACK + 1), '.'))).toBe('pickle-limit');
  });

  it('pickle-read-failed: the transport failing is not the file being broken', async () => {
    const r = await walkPickle(
      new (await import('../../../lib/formats/bytes')).Reader(
        { size: 100, read: () => Promise.reject(new Error('reset')) },
        100,
      ),
      0,
    );
    expect(r.errors[0]?.code).toBe('pickle-read-failed');
  });
});

describe('what a pickle imports and calls', () => {
  it('an EXT code the pickle registered itself (copyreg.add_extension) is the import it registered', async () => {
    // GLOBAL copyreg add_extension ('os', 'system', 240) REDUCE POP, then EXT1 240 ('id',) REDUCE. Checked with
    // CPython 3.11's pickle.loads on these bytes: it ran `id` (printed the uid) and returned 0.
    const registered = bytes(
      [0x80, 0x02],
      'ccopyreg\nadd_extension\n',
      [0x8c, 2],
      'os',
      [0x8c, 6],
      'system',
      [0x4b, 240, 0x87],
      'R0',
      [0x82, 240, 0x8c, 2],
      'id',
      [0x85],
      'R.',
    );
    expect(await imports(registered)).toEqual(['copyreg.add_extension:dangerous', 'os.system:dangerous']);
    const v = await classify(memorySource(registered), { name: 'model.pkl' });
    expect(v.risk).toBe('dangerous');
    expect(v.imports.find((i) => i.name === 'system')?.offset).toBe(42); // the EXT1, not a GLOBAL
    // Without a registration in the file, the code is the loading program's (an empty registry in plain
    // Python): named as such, suspicious, not a guess.
    const bare = bytes([0x80, 0x02, 0x82, 240, 0x8c, 2], 'id', [0x85], 'R.');
    expect(await imports(bare)).toEqual(['copyreg._extension_registry[240]:suspicious']);
    // EXT2 and EXT4 read their codes the same way.
    const ext2 = bytes([0x80, 0x02], 'ccopyreg\nadd_extension\n', [0x8c, 2], 'os', [0x8c, 6], 'system');
    const wide = bytes(ext2, [0x4d, 0x34, 0x12, 0x87], 'R0', [0x83, 0x34, 0x12], '.');
    expect(await imports(wide)).toContain('os.system:dangerous');
    const four = bytes(ext2, [0x4a], le32(0x123456), [0x87], 'R0', [0x84], le32(0x123456), '.');
    expect(await imports(four)).toContain('os.system:dangerous');
  });

  it('GLOBAL, with the Python 2 module spelling', async () => {
    expect(await imports(bytes("c__builtin__\neval\n(S'1'\ntR."))).toEqual(['__builtin__.eval:dangerous']);
  });

  it('STACK_GLOBAL operands fetched back from the memo', async () => {
    const b = bytes(
      [0x80, 0x04, 0x8c, 5],
      'posix',
      [0x94, 0x8c, 6],
      'system',
      [0x94],
      'h',
      [0],
      'h',
      [1],
      [0x93],
      '.',
    );
    expect(await imports(b)).toEqual(['posix.system:dangerous']);
  });

  it('STACK_GLOBAL of a computed value is a dynamic import', async () => {
    const b = bytes([0x80, 0x04], 'cbuiltins\nstr\n)R', [0x8c, 6], 'system', [0x93], '.');
    const found = await imports(b);
    expect(found).toContain('<the result of builtins.str(…)>.system:dangerous');
  });

  it('a dotted name walks attributes: pathlib + os.system is os.system', async () => {
    const b = bytes([0x80, 0x04, 0x8c, 7], 'pathlib', [0x8c, 9], 'os.system', [0x93], '.');
    const [imp] = (await walk(b)).imports;
    expect(imp).toMatchObject({ module: 'pathlib', name: 'os.system', safety: 'dangerous' });
  });

  it('INST and OBJ import and call', async () => {
    const inst = await walk(bytes("(S'echo'\nios\nsystem\n."));
    expect(inst.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['os.system']);
    expect(inst.calls).toEqual([{ callee: 'os.system', op: 'INST', offset: 9 }]);
    const obj = await walk(bytes("(csubprocess\ncall\nS'x'\no."));
    expect(obj.calls[0]).toMatchObject({ callee: 'subprocess.call', op: 'OBJ' });
  });

  it('REDUCE records what it calls, including a call of a call', async () => {
    const r = await walk(bytes("cbuiltins\ngetattr\n(cos\nS'system'\ntR(S'id'\ntR."));
    expect(r.calls.map((c) => c.callee)).toEqual(['builtins.getattr', 'the result of builtins.getattr(…)']);
    expect(r.complete).toBe(true);
  });

  it('POP pops a MARK when nothing is above it, as CPython does', async () => {
    const r = await walk(bytes('(0N.'));
    expect(r.complete).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('what ran before a broken tail still counts', async () => {
    const r = await walk(bytes("cos\nsystem\n(S'id'\ntR", [0xff]));
    expect(r.complete).toBe(false);
    expect(r.imports[0]?.safety).toBe('dangerous');
    expect(r.calls).toHaveLength(1);
  });

  it("predicts torch 1.13's weights_only: allow-listed globals and opcodes only", async () => {
    const ok = await walk(bytes([0x80, 0x02], 'ccollections\nOrderedDict\n)R.'));
    expect(ok.weightsOnly).toBe(true);
    const notAllowed = await walk(bytes([0x80, 0x02], 'cnumpy\ndtype\n)R.'));
    expect(notAllowed.weightsOnly).toBe(false);
    // BINFLOAT is not among the opcodes torch 1.13's unpickler handles.
    const float = await walk(bytes([0x80, 0x02, 0x47], new Uint8Array(8), '.'));
    expect(float.weightsOnly).toBe(false);
  });

  it('skips large payloads without reading them', async () => {
    const big = 10 * 1024 * 1024;
    const head = bytes([0x80, 0x04, 0x8e], le64(big));
    const src = {
      size: head.length + big + 1,
      read: (s: number, e: number) =>
        Promise.resolve(
          s >= head.length + big
            ? bytes('.')
            : s < head.length
              ? head.slice(s, e)
              : new Uint8Array(Math.min(e, head.length + big) - s),
        ),
    };
    const v = await classify(src, { name: 'x.pkl' });
    expect(v.format).toBe('pickle');
    expect(v.findings.map((f) => f.code)).not.toContain('pickle-truncated');
    expect(v.bytesRead).toBeLessThan(200 * 1024);
  });
});

describe('pickle files through classify', () => {
  it('a second pickle after STOP with imports is dangerous', async () => {
    const v = await classify(memorySource(bytes([0x80, 0x02], 'N.', [0x80, 0x02], 'cos\nsystem\n.')));
    expect(v.risk).toBe('dangerous');
    expect(v.findings.map((f) => f.code)).toContain('pickle-hidden-after-stop');
  });

  it('a dangerous import becomes a finding with its offset', async () => {
    const v = await classify(memorySource(bytes([0x80, 0x02], 'cos\nsystem\n.')));
    expect(v.findings).toContainEqual(
      expect.objectContaining({ code: 'pickle-dangerous-import', severity: 'danger' }),
    );
    expect(v.findings[0]?.message).toContain('os.system at byte 2');
  });

  it('pickle-proto-not-first: PROTO after a no-op still makes a pickle', async () => {
    const v = await classify(memorySource(bytes('(', [0x80, 0x02], '0N.')));
    expect(v.format).toBe('pickle');
    expect(v.findings.map((f) => f.code)).toContain('pickle-proto-not-first');
  });

  it('trailing bytes that are not a pickle are a warning, not a second pickle', async () => {
    const v = await classify(memorySource(bytes([0x80, 0x02], 'N.', 'hello world')));
    expect(v.risk).toBe('unsafe');
    expect(v.findings.map((f) => f.code)).toContain('pickle-trailing-bytes');
  });

  it('a pickle named .safetensors is dangerous: built to mislead', async () => {
    const v = await classify(memorySource(bytes([0x80, 0x02], '}.')), { name: 'model.safetensors' });
    expect(v).toMatchObject({ format: 'pickle', risk: 'dangerous' });
    expect(v.findings.map((f) => f.code)).toContain('extension-mismatch');
  });

  it('a pickle that breaks before calling anything is invalid', async () => {
    const v = await classify(memorySource(bytes([0x80, 0x02], ']', [0xff])));
    expect(v.risk).toBe('invalid');
  });

  it('Python source starting with "c" is text, not a pickle', async () => {
    const v = await classify(memorySource(bytes('class Model:\n    pass\n')));
    expect(v).toMatchObject({ format: 'unknown', risk: 'unknown' });
  });
});

describe('limits are ours, not the file’s fault', () => {
  it('a pickle walk stopped at a limit stays unsafe, with the limit as a finding', async () => {
    const v = await classify(memorySource(bytes([0x80, 0x02], 'N'.repeat(MAX_STACK + 1), '.')));
    expect(v.risk).toBe('unsafe');
    expect(v.findings.map((f) => f.code)).toContain('pickle-limit');
  });
});

describe('budgets cannot hide an import', () => {
  it(`past ${MAX_MEMO_STRINGS} memoized strings, a STACK_GLOBAL through the memo is still dangerous`, async () => {
    const filler = new Uint8Array(5 * (MAX_MEMO_STRINGS + 1)).fill(0);
    for (let i = 0; i < MAX_MEMO_STRINGS + 1; i++) filler.set([0x8c, 1, 0x61, 0x94, 0x30], i * 5); // 'a' MEMOIZE POP
    const n = MAX_MEMO_STRINGS + 1;
    const get = (i: number) => bytes('j', le32(i));
    const b = bytes(
      [0x80, 0x04],
      filler,
      [0x8c, 5],
      'posix',
      [0x94, 0x30, 0x8c, 6],
      'system',
      [0x94, 0x30],
      get(n),
      get(n + 1),
      [0x93],
      '.',
    );
    const r = await walk(b);
    expect(r.complete).toBe(true);
    expect(r.imports.some((i) => i.safety === 'dangerous')).toBe(true);
  });
});

describe('program findings: frames, BUILD on a global, embedded pickles', () => {
  const findings = async (b: Uint8Array) => (await walk(b)).findings.map((f) => f.code);
  it('pickle-frame-lie: an opcode straddling the end of its frame', async () => {
    // FRAME of 5 bytes, then BINBYTES whose 20-byte argument runs past it.
    const b = bytes([0x80, 0x05, 0x95], le64(5), 'B', le32(20), 'A'.repeat(20), '.');
    expect(await findings(b)).toEqual(['pickle-frame-lie']);
    expect((await classify(memorySource(b))).risk).toBe('dangerous');
  });
  it('pickle-frame-lie: a frame inside a frame', async () => {
    expect(await findings(bytes([0x80, 0x05, 0x95], le64(12), 'N', [0x95], le64(1), 'N.'))).toEqual([
      'pickle-frame-lie',
    ]);
  });
  it('pickle-frame-lie: a frame longer than the data', async () => {
    expect(await findings(bytes([0x80, 0x04, 0x95], le64(1000), 'N.'))).toContain('pickle-frame-lie');
  });
  it('honest frames are not findings', async () => {
    expect(await findings(bytes([0x80, 0x04, 0x95], le64(2), 'N.'))).toEqual([]);
    expect(await findings(bytes([0x80, 0x04, 0x95], le64(1), ']', [0x95], le64(1), '.'))).toEqual([]);
  });
  it('pickle-build-on-global: BUILD that overwrites attributes of a module', async () => {
    const b = bytes([0x80, 0x02], 'ctorch\n_utils\n}', 'U', [4], 'save', 'N', 's', 'b.');
    expect(await findings(b)).toEqual(['pickle-build-on-global']);
    expect((await classify(memorySource(b))).risk).toBe('dangerous');
  });
  it('pickle-embedded: raw, base64 and hex pickles inside a pickle are walked', async () => {
    const inner = bytes([0x80, 0x04], 'cos\nsystem\n', [0x8c, 2], 'id', [0x85], 'R.');
    const b64 = Buffer.from(inner).toString('base64');
    const hex = Buffer.from(inner).toString('hex');
    for (const outer of [
      bytes([0x80, 0x04, 0x43, inner.length], inner, '.'),
      bytes([0x80, 0x04, 0x8c, b64.length], b64, '.'),
      bytes([0x80, 0x04, 0x8c, hex.length], hex, '.'),
    ]) {
      const v = await classify(memorySource(outer));
      expect(v.risk).toBe('dangerous');
      expect(v.findings.map((f) => f.code)).toContain('pickle-embedded');
      expect(v.imports.map((i) => `${i.module}.${i.name}`)).toContain('os.system');
    }
  });
  it('an embedded pickle of plain data is a warning, not a danger', async () => {
    const inner = bytes([0x80, 0x04], '}', [0x8c, 1], 'a', 'K', [1], 's.');
    const v = await classify(memorySource(bytes([0x80, 0x04, 0x43, inner.length], inner, '.')));
    expect(v.risk).toBe('unsafe');
    expect(v.findings).toContainEqual(
      expect.objectContaining({ code: 'pickle-embedded', severity: 'warning' }),
    );
  });
});

describe('the memo', () => {
  it('keeps an empty string (falsy, but a value)', async () => {
    const r = await walk(bytes([0x80, 0x04, 0x8c, 0], [0x94], '0', 'h', [0], '.'));
    expect(r.errors).toEqual([]);
    expect(r.top).toBe('');
  });
  it('answers a GET of a value it did not store (a shared stand-in)', async () => {
    const r = await walk(bytes([0x80, 0x02], 'G', new Uint8Array(8), 'q', [7], '0', 'h', [7], '.'));
    expect(r.errors).toEqual([]);
    expect(r.complete).toBe(true);
  });
  it('holds far indices (LONG_BINPUT 2^31) and resolves STACK_GLOBAL through them', async () => {
    const b = bytes(
      [0x80, 0x04, 0x8c, 5],
      'posix',
      'r',
      le32(2 ** 31),
      [0x8c, 6],
      'system',
      'r',
      le32(2 ** 31 + 1),
      '00',
      'j',
      le32(2 ** 31),
      'j',
      le32(2 ** 31 + 1),
      [0x93],
      '.',
    );
    const r = await walk(b);
    expect(r.errors).toEqual([]);
    expect(r.imports.map((i) => `${i.module}.${i.name}:${i.safety}`)).toEqual(['posix.system:dangerous']);
  });
  it('a GET of an index never written is an error, near or far', async () => {
    expect(await errorCode(bytes([0x80, 0x02], 'h', [3], '.'))).toBe('pickle-memo-missing');
    expect(await errorCode(bytes([0x80, 0x02], 'j', le32(2 ** 30), '.'))).toBe('pickle-memo-missing');
  });
});

describe('verdicts from failed reads', () => {
  it('are recognised, so they are never cached by content key', async () => {
    const { fromFailedRead } = await import('../../../lib/formats/classify');
    const ok = await classify(memorySource(bytes([0x80, 0x02], 'N.')));
    expect(fromFailedRead(ok)).toBe(false);
    // A pickle whose walk loses the transport after the first read: the verdict is made, but unfinished.
    const head = bytes([0x80, 0x02, 0x5d], 'N'.repeat(70_000));
    let calls = 0;
    const cut = await classify({
      size: head.length + 10,
      read: (s, e) =>
        ++calls > 1
          ? Promise.reject(new Error('reset'))
          : Promise.resolve(head.slice(s, Math.min(e, head.length))),
    });
    expect(cut.findings.map((f) => f.code)).toContain('pickle-read-failed');
    expect(fromFailedRead(cut)).toBe(true);
    const failed = await classify({
      size: 10,
      read: () => Promise.reject(Object.assign(new Error('gated'), { code: 'gated' })),
    });
    expect(failed.findings[0]).toMatchObject({ code: 'read-failed', cause: 'gated' });
    expect(fromFailedRead(failed)).toBe(true);
  });
});
