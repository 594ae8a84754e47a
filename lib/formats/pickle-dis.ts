// A disassembly in the exact text of CPython's `pickletools.dis` (Lib/pickletools.py, `dis` and the
// `read_*` argument readers, with Python's repr of str, bytes, int and float). The opcode boundaries come
// from the pickle machine's own walk (its `onOp` hook), so comparing this text with CPython's tests the
// walker's parsing of every opcode and argument length, not a second parser.
import { Reader, memorySource } from './bytes';
import { walkPickle } from './pickle';
import { OPCODES } from './pickle-ops';

/** pickletools' stack_before/stack_after: [items popped, items pushed, index of the MARK popped or -1]. */
const STACK: Record<string, [number, number, number]> = {
  READONLY_BUFFER: [1, 1, -1],
  APPEND: [2, 1, -1],
  APPENDS: [3, 1, 1],
  LIST: [2, 1, 0],
  TUPLE: [2, 1, 0],
  TUPLE1: [1, 1, -1],
  TUPLE2: [2, 1, -1],
  TUPLE3: [3, 1, -1],
  DICT: [2, 1, 0],
  SETITEM: [3, 1, -1],
  SETITEMS: [3, 1, 1],
  ADDITEMS: [3, 1, 1],
  FROZENSET: [2, 1, 0],
  POP: [1, 0, -1],
  DUP: [1, 2, -1],
  MARK: [0, 1, -1],
  POP_MARK: [2, 0, 0],
  PUT: [0, 0, -1],
  BINPUT: [0, 0, -1],
  LONG_BINPUT: [0, 0, -1],
  MEMOIZE: [1, 1, -1],
  STACK_GLOBAL: [2, 1, -1],
  REDUCE: [2, 1, -1],
  BUILD: [2, 1, -1],
  INST: [2, 1, 0],
  OBJ: [3, 1, 0],
  NEWOBJ: [2, 1, -1],
  NEWOBJ_EX: [3, 1, -1],
  PROTO: [0, 0, -1],
  STOP: [1, 0, -1],
  FRAME: [0, 0, -1],
  BINPERSID: [1, 1, -1],
};

/** Python's str.isprintable for the characters that matter here (C0/C1 controls, separators, surrogates). */
function isPrintable(c: number): boolean {
  if (c < 0x20 || c === 0x7f) return false;
  if (c >= 0x80 && c <= 0xa0) return false;
  if (c === 0xad || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || c === 0xfeff)
    return false;
  if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064))
    return false;
  return true;
}

export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (isPrintable(c)) out += ch;
    else if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + quote;
}

function pyBytesRepr(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const c of b) {
    if (c === 0x27) hasSingle = true;
    if (c === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** repr(float): the shortest round-trip digits, fixed notation for exponents -4..15, else d.ddde±XX. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return (neg ? '-' : '') + body;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** pickle.decode_long: little-endian two's complement. */
function decodeLong(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
  if (b.length && (b[b.length - 1] ?? 0) & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

/** codecs.escape_decode, for the escapes a protocol 0 STRING line can hold. */
function escapeDecode(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const map: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '\n': '',
    };
    return map[e] ?? `\\${e}`;
  });
}

function pyInt(text: string): string {
  return BigInt(text.trim()).toString();
}

/** The argument as pickletools' reader returns it, in Python's repr. */
function argRepr(kind: string, raw: Uint8Array): string | undefined {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const line = () => latin1(raw.subarray(0, raw.length - 1));
  switch (kind) {
    case 'none':
      return undefined;
    case 'uint1':
      return String(raw[0] ?? 0);
    case 'uint2':
      return String(dv.getUint16(0, true));
    case 'int4':
      return String(dv.getInt32(0, true));
    case 'uint4':
      return String(dv.getUint32(0, true));
    case 'uint8':
      return dv.getBigUint64(0, true).toString();
    case 'long1':
      return decodeLong(raw.subarray(1)).toString();
    case 'long4':
      return decodeLong(raw.subarray(4)).toString();
    case 'decimalnl_short': {
      const t = line();
      return t === '00' ? 'False' : t === '01' ? 'True' : pyInt(t);
    }
    case 'decimalnl_long':
      return pyInt(line().replace(/L$/, ''));
    case 'floatnl':
      return pyFloatRepr(Number(line()));
    case 'float8':
      return pyFloatRepr(dv.getFloat64(0, false));
    case 'stringnl':
      return pyStrRepr(escapeDecode(line().slice(1, -1)));
    case 'stringnl_noescape':
      return pyStrRepr(escapeDecode(line()));
    case 'stringnl_noescape_pair': {
      const nl = raw.indexOf(0x0a);
      return pyStrRepr(`${latin1(raw.subarray(0, nl))} ${latin1(raw.subarray(nl + 1, raw.length - 1))}`);
    }
    case 'string1':
      return pyStrRepr(latin1(raw.subarray(1)));
    case 'string4':
      return pyStrRepr(latin1(raw.subarray(4)));
    case 'bytes1':
      return pyBytesRepr(raw.subarray(1));
    case 'bytes4':
      return pyBytesRepr(raw.subarray(4));
    case 'bytes8':
      return pyBytesRepr(raw.subarray(8));
    case 'bytearray8':
      return `bytearray(${pyBytesRepr(raw.subarray(8))})`;
    case 'unicode1':
      return pyStrRepr(new TextDecoder().decode(raw.subarray(1)));
    case 'unicode4':
      return pyStrRepr(new TextDecoder().decode(raw.subarray(4)));
    case 'unicode8':
      return pyStrRepr(new TextDecoder().decode(raw.subarray(8)));
    case 'unicodestringnl':
      return pyStrRepr(
        line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a?: string, b?: string) =>
          String.fromCodePoint(parseInt(a ?? b ?? '0', 16)),
        ),
      );
    default:
      return undefined;
  }
}

/** pickletools.dis(pickle) as text, for the first pickle in `bytes`. */
export async function disassemble(bytes: Uint8Array): Promise<string> {
  const ops: [number, number, number][] = [];
  const r = await walkPickle(new Reader(memorySource(bytes), bytes.length), 0, {
    onOp: (at, code, end) => ops.push([at, code, end]),
  });
  if (r.errors.length) throw new Error(r.errors[0]?.message);
  const lines: string[] = [];
  const markstack: number[] = [];
  const stack: boolean[] = []; // true for a MARK
  let memo = 0;
  let maxproto = 0;
  for (const [at, code, end] of ops) {
    const op = OPCODES[code];
    if (!op) throw new Error(`no opcode at ${at}`);
    maxproto = Math.max(maxproto, op.proto);
    const codeText =
      code < 0x20 || code >= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : String.fromCharCode(code);
    let line = `${String(at).padStart(5)}: ${codeText.padEnd(4)} ${'    '.repeat(markstack.length)}${op.name}`;
    const [before, after, markIndex] = STACK[op.name] ?? [0, 1, -1];
    let numtopop = before;
    let markmsg: string | undefined;
    if (markIndex >= 0 || (op.name === 'POP' && stack[stack.length - 1] === true)) {
      markmsg = `(MARK at ${markstack.pop()})`;
      while (stack.length && stack[stack.length - 1] !== true) stack.pop();
      stack.pop();
      numtopop = markIndex >= 0 ? markIndex : 0;
    }
    if (op.name === 'MEMOIZE') markmsg = `(as ${memo})`;
    if (['PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE'].includes(op.name)) memo++;
    const arg = argRepr(op.arg, bytes.subarray(at + 1, end));
    if (arg !== undefined || markmsg) {
      line += ' '.repeat(Math.max(0, 10 - op.name.length));
      if (arg !== undefined) line += ` ${arg}`;
      if (markmsg) line += ` ${markmsg}`;
    }
    lines.push(line);
    stack.splice(stack.length - numtopop, numtopop);
    if (op.name === 'MARK') {
      markstack.push(at);
      stack.push(true);
    } else for (let i = 0; i < after; i++) stack.push(false);
  }
  lines.push(`highest protocol among opcodes = ${maxproto}`);
  return lines.join('\n') + '\n';
}
