// NumPy .npy v1/v2/v3: "\x93NUMPY", major, minor, a header length (u16 for v1, u32 after), then a Python
// dict literal {'descr', 'fortran_order', 'shape'} padded with spaces and a newline.
// Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Checked: version, header literal and its three keys, dtype, shape; for numeric arrays that the data fills
// the file exactly; for object dtypes (numpy.save pickles the array after the header), the pickle is
// handed to the pickle machine by the caller. Not checked: the values.
import { Reader, decodeLatin1, decodeUtf8, startsWith, u16, u32 } from './bytes';
import { addPickles, concludes, type FormatModule, type Judgement } from './judgement';
import { dtypeItemSize, walkPickle } from './pickle';

/** numpy's own default `max_header_size` is 10,000 bytes (numpy 1.24, format.py); we allow more. */
export const MAX_NPY_HEADER = 1024 * 1024;
/** Nesting of the header literal (structured dtypes nest a few levels). */
const MAX_LITERAL_DEPTH = 32;

type NpyError =
  | 'npy-truncated'
  | 'npy-bad-version'
  | 'npy-header-too-large'
  | 'npy-bad-header'
  | 'npy-bad-dtype'
  | 'npy-data-length-mismatch';

interface NpyHeader {
  version: string;
  descr: unknown;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
  itemSize: number;
  object: boolean;
  count: number;
}

type NpyResult = { ok: true; header: NpyHeader } | { ok: false; code: NpyError; message: string };

type Lit = string | number | boolean | null | Lit[] | { [k: string]: Lit };

/** Parses the restricted Python literal numpy writes (and `ast.literal_eval` reads). */
export function parsePyLiteral(text: string): Lit | undefined {
  let p = 0;
  const ws = () => {
    while (p < text.length && /\s/.test(text[p] ?? '')) p++;
  };
  const value = (depth: number): Lit | undefined => {
    if (depth > MAX_LITERAL_DEPTH) return undefined;
    ws();
    const ch = text[p];
    if (ch === '{') {
      p++;
      const out: { [k: string]: Lit } = {};
      for (;;) {
        ws();
        if (text[p] === '}') return (p++, out);
        const k = value(depth + 1);
        ws();
        if (typeof k !== 'string' || text[p] !== ':') return undefined;
        p++;
        const v = value(depth + 1);
        if (v === undefined) return undefined;
        out[k] = v;
        ws();
        if (text[p] === ',') p++;
        else if (text[p] !== '}') return undefined;
      }
    }
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      p++;
      const out: Lit[] = [];
      for (;;) {
        ws();
        if (text[p] === close) return (p++, out);
        const v = value(depth + 1);
        if (v === undefined) return undefined;
        out.push(v);
        ws();
        if (text[p] === ',') p++;
        else if (text[p] !== close) return undefined;
      }
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, p + 1);
      if (end < 0) return undefined;
      const s = text.slice(p + 1, end);
      p = end + 1;
      return s;
    }
    const m = /^(-?\d+L?|True|False|None)/.exec(text.slice(p, p + 32));
    if (!m || !m[1]) return undefined;
    p += m[1].length;
    if (m[1] === 'True') return true;
    if (m[1] === 'False') return false;
    if (m[1] === 'None') return null;
    return Number(m[1].replace('L', ''));
  };
  const v = value(0);
  ws();
  return p === text.length ? v : undefined;
}

/** Item size and object-ness of a descr: a string, or a list of (name, descr[, shape]) fields. */
function descrInfo(descr: Lit, depth = 0): { size: number; object: boolean } | undefined {
  if (depth > MAX_LITERAL_DEPTH) return undefined;
  if (typeof descr === 'string') return dtypeItemSize(descr);
  if (!Array.isArray(descr)) return undefined;
  let size = 0;
  let object = false;
  for (const field of descr) {
    if (!Array.isArray(field) || field.length < 2) return undefined;
    const sub = descrInfo(field[1] ?? null, depth + 1);
    if (!sub) return undefined;
    let n = 1;
    if (Array.isArray(field[2])) for (const d of field[2]) n *= typeof d === 'number' ? d : NaN;
    else if (typeof field[2] === 'number') n = field[2];
    size += sub.size * n;
    object ||= sub.object;
  }
  return Number.isFinite(size) ? { size, object } : undefined;
}

/** Reads the npy header at `at` (0 for a file; a member's start inside an npz). */
export async function readNpyHeader(
  read: (s: number, e: number) => Promise<Uint8Array>,
  size: number,
): Promise<NpyResult> {
  const pre = await read(0, 12);
  if (pre.length < 10)
    return { ok: false, code: 'npy-truncated', message: 'the file ends inside the npy preamble' };
  const major = pre[6] ?? 0;
  const minor = pre[7] ?? 0;
  if (major < 1 || major > 3)
    return { ok: false, code: 'npy-bad-version', message: `npy version ${major}.${minor} is not 1, 2 or 3` };
  const lenBytes = major === 1 ? 2 : 4;
  if (pre.length < 8 + lenBytes)
    return { ok: false, code: 'npy-truncated', message: 'the file ends inside the npy preamble' };
  const hlen = major === 1 ? u16(pre, 8) : u32(pre, 8);
  if (hlen > MAX_NPY_HEADER)
    return {
      ok: false,
      code: 'npy-header-too-large',
      message: `the header claims ${hlen} bytes, over the ${MAX_NPY_HEADER}-byte limit`,
    };
  const start = 8 + lenBytes;
  if (start + hlen > size)
    return {
      ok: false,
      code: 'npy-truncated',
      message: `the header claims ${hlen} bytes past the end of the file`,
    };
  const raw = await read(start, start + hlen);
  const text = major === 3 ? decodeUtf8(raw) : decodeLatin1(raw);
  const lit = text === undefined ? undefined : parsePyLiteral(text);
  if (!lit || typeof lit !== 'object' || Array.isArray(lit))
    return { ok: false, code: 'npy-bad-header', message: 'the header is not a Python dict literal' };
  const { descr, fortran_order: fortran, shape } = lit;
  if (
    descr === undefined ||
    typeof fortran !== 'boolean' ||
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    return {
      ok: false,
      code: 'npy-bad-header',
      message: "the header lacks 'descr', a boolean 'fortran_order' or an integer 'shape'",
    };
  }
  const info = descrInfo(descr);
  if (!info)
    return {
      ok: false,
      code: 'npy-bad-dtype',
      message: `the dtype ${JSON.stringify(descr)} is not understood`,
    };
  let count = 1;
  for (const d of shape as number[]) count *= d;
  return {
    ok: true,
    header: {
      version: `${major}.${minor}`,
      descr,
      fortranOrder: fortran,
      shape: shape as number[],
      dataOffset: start + hlen,
      itemSize: info.size,
      object: info.object,
      count,
    },
  };
}

function readNpy(reader: Reader, size: number): Promise<NpyResult> {
  return readNpyHeader((s, e) => reader.read(s, e), size);
}

export const NUMPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

async function numpyFile(reader: Reader, size: number, acc: Judgement): Promise<void> {
  acc.format = 'numpy';
  const r = await readNpy(reader, size);
  if (!r.ok) {
    acc.risk = 'invalid';
    acc.findings.push({ code: r.code, severity: 'error', message: r.message });
    return;
  }
  const h = r.header;
  Object.assign(acc.details, {
    version: h.version,
    dtype: h.descr,
    shape: h.shape,
    fortranOrder: h.fortranOrder,
  });
  if (h.object) {
    acc.findings.push({
      code: 'npy-object-array',
      severity: 'warning',
      message: 'an object array: numpy.load(allow_pickle=True) runs the pickle that follows the header',
    });
    addPickles(acc, [await walkPickle(reader, h.dataOffset)], 'the object array pickle');
    acc.weightsOnly = undefined;
    return;
  }
  const expected = h.dataOffset + h.count * h.itemSize;
  if (expected !== size) {
    acc.risk = 'invalid';
    acc.findings.push({
      code: 'npy-data-length-mismatch',
      severity: 'error',
      message: `shape and dtype need ${expected} bytes but the file has ${size}`,
    });
    return;
  }
  acc.risk = 'safe';
}

export const NUMPY_MODULE: FormatModule = {
  id: 'numpy',
  formats: ['numpy'],
  sniff: (c) => startsWith(c.head, NUMPY_MAGIC),
  judge: concludes((c, j) => numpyFile(c.reader, c.known, j)),
};
