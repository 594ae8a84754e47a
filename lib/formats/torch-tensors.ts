// The tensors of a torch.save zip, read from its `data.pkl` without running it and without reading any tensor
// data: for each name of the state dict, the storage it views (key, dtype, element count), its offset, shape
// and strides; and where each storage's bytes sit in the archive.
//
// Facts from torch/serialization.py (`_save`, `_load`) and torch/_utils.py: a tensor is pickled as a call of
// `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[,
// metadata])` (older: `_rebuild_tensor(storage, offset, size, stride)`); an nn.Parameter wraps it in
// `_rebuild_parameter(tensor, requires_grad, hooks)` (or `_rebuild_parameter_with_state`); a storage is a
// persistent id `('storage', torch.<Type>Storage, key, location, numel)` whose bytes are the zip member
// `<archive>/data/<key>`, stored, in the byte order of `<archive>/byteorder` (little when absent); the state
// dict is a `collections.OrderedDict`. Storage type → dtype: torch/storage.py `_dtype_to_storage_type_map`.
//
// Only what torch.save writes is evaluated: any other call is kept as an opaque object, and an opcode this
// reader does not follow makes the whole table unreadable (said, never guessed). The pickle was already
// walked for imports by the scanner; this reads it a second time for values.
import { Reader, decodeLatin1, decodeUtf8, memorySource } from './bytes';
import { walkPickle } from './pickle';
import { TORCH_LEGACY_MAGIC } from './torch';
import { OPCODES } from './pickle-ops';
import { readMember, readZipIndex, type ZipEntry } from './zip';

/** data.pkl read for tensor specs at most this large (a 70B model's is ~1 MB). */
const MAX_TENSOR_PICKLE = 16 * 1024 * 1024;
/** Values kept by the evaluator (stack, memo, containers): data.pkl's own opcodes bound it, this too. */
const MAX_VALUES = 4_000_000;

/** Legacy storage class → safetensors dtype and bytes per element (torch/storage.py). */
const STORAGE_DTYPES: Record<string, [string, number]> = {
  DoubleStorage: ['F64', 8],
  FloatStorage: ['F32', 4],
  HalfStorage: ['F16', 2],
  BFloat16Storage: ['BF16', 2],
  LongStorage: ['I64', 8],
  IntStorage: ['I32', 4],
  ShortStorage: ['I16', 2],
  CharStorage: ['I8', 1],
  ByteStorage: ['U8', 1],
  BoolStorage: ['BOOL', 1],
  ComplexFloatStorage: ['C64', 8],
  Float8_e4m3fnStorage: ['F8_E4M3', 1],
  Float8_e5m2Storage: ['F8_E5M2', 1],
  UInt16Storage: ['U16', 2],
  UInt32Storage: ['U32', 4],
  UInt64Storage: ['U64', 8],
};

export interface TorchStorage {
  key: string;
  /** The safetensors name of its dtype, or the storage class when it has none (ComplexDoubleStorage…). */
  dtype: string;
  itemsize: number;
  numel: number;
  /** In a zip: its member. */
  entry?: ZipEntry;
  /** In the legacy format: where its 8-byte element count sits; its bytes follow it. */
  countAt?: number;
  /** A view into another storage (the legacy format's view_metadata): not located by this reader. */
  view?: boolean;
}

export interface TorchTensor {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  stride: number[];
  /** In elements of the storage. */
  offset: number;
  storage: TorchStorage;
}

type TorchTable =
  | {
      ok: true;
      tensors: TorchTensor[];
      storages: Map<string, TorchStorage>;
      /** The key the state dict was unwrapped from (the converter takes `checkpoint["state_dict"]`). */
      unwrapped?: string;
      byteorder: string;
      /** Entries of the state dict this reader could not take as tensors, with what they are. */
      opaque: { name: string; what: string }[];
    }
  | { ok: false; code: TorchTableError; message: string };

type TorchTableError =
  | 'not-a-zip'
  | 'no-data-pkl'
  | 'data-pkl-unreadable'
  | 'not-a-state-dict'
  | 'not-legacy'
  | 'legacy-unreadable';

// ---- the evaluator's values
type PV =
  | null
  | boolean
  | number
  | string
  | PV[]
  | { k: 'dict'; entries: [PV, PV][] }
  | { k: 'global'; name: string }
  | { k: 'storage'; s: TorchStorage }
  | { k: 'tensor'; t: Omit<TorchTensor, 'name'> }
  | { k: 'obj'; what: string };

class Unreadable extends Error {}

function isObj<K extends string>(v: PV | undefined, k: K): v is Extract<PV, { k: K }> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.k === k;
}

function int(v: PV | undefined, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Unreadable(`${what} is not an integer`);
}

function ints(v: PV | undefined, what: string): number[] {
  if (!Array.isArray(v)) throw new Unreadable(`${what} is not a tuple`);
  return v.map((x) => int(x, what));
}

function describeValue(v: PV): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a tuple or list';
  if (typeof v !== 'object') return `a ${typeof v}`;
  if (v.k === 'obj') return `an object built by ${v.what}`;
  if (v.k === 'dict') return 'a dict';
  return `a ${v.k}`;
}

/** The call `fn(*args)` as torch.save writes it, or an opaque object. */
function call(fn: PV, args: PV): PV {
  const name = isObj(fn, 'global') ? fn.name : 'an unknown callable';
  const a = Array.isArray(args) ? args : [];
  switch (name) {
    case 'collections.OrderedDict':
    case 'builtins.dict':
      return { k: 'dict', entries: [] };
    case 'torch._utils._rebuild_tensor':
    case 'torch._utils._rebuild_tensor_v2': {
      const st = a[0];
      if (!isObj(st, 'storage')) return { k: 'obj', what: `${name} without a storage` };
      const shape = ints(a[2], 'a tensor size');
      const stride = ints(a[3], 'a tensor stride');
      if (stride.length !== shape.length)
        throw new Unreadable('a tensor whose stride and size differ in length');
      let numel = 1;
      for (const d of shape) numel *= d;
      if (!Number.isSafeInteger(numel) || shape.some((d) => d < 0))
        throw new Unreadable('a tensor size out of range');
      return {
        k: 'tensor',
        t: { dtype: st.s.dtype, shape, numel, stride, offset: int(a[1], 'a storage offset'), storage: st.s },
      };
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      return isObj(a[0], 'tensor') ? a[0] : { k: 'obj', what: name };
    default:
      return { k: 'obj', what: name };
  }
}

function persistent(pid: PV, storages: Map<string, TorchStorage>): PV {
  if (!Array.isArray(pid) || pid[0] !== 'storage')
    return { k: 'obj', what: 'a persistent id that is not a storage' };
  const [, type, key, , numel, viewMetadata] = pid;
  const cls = isObj(type, 'global') ? type.name : '';
  if (typeof key !== 'string') throw new Unreadable('a storage key that is not a string');
  const known = cls.startsWith('torch.') ? STORAGE_DTYPES[cls.slice(6)] : undefined;
  const s: TorchStorage = storages.get(key) ?? {
    key,
    dtype: known?.[0] ?? (cls || 'an unknown storage type'),
    itemsize: known?.[1] ?? 0,
    numel: int(numel, 'a storage size'),
    ...(viewMetadata !== undefined && viewMetadata !== null ? { view: true } : {}),
  };
  storages.set(key, s);
  return { k: 'storage', s };
}

/** Little-endian two's complement of at most 6 bytes (pickle's LONG1), else unreadable. */
function long1(b: Uint8Array): number {
  if (b.length > 6) throw new Unreadable('an integer over 48 bits');
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + (b[i] ?? 0);
  if (b.length && (b[b.length - 1] ?? 0) & 0x80) v -= 2 ** (8 * b.length);
  return v;
}

/** Evaluates data.pkl's opcodes into values (already checked to be one well-formed pickle by walkPickle). */
async function evaluate(bytes: Uint8Array, storages: Map<string, TorchStorage>): Promise<PV> {
  const ops: [number, number, number][] = [];
  const walked = await walkPickle(new Reader(memorySource(bytes), bytes.length), 0, {
    onOp: (at, code, end) => ops.push([at, code, end]),
  });
  if (walked.errors.length) throw new Unreadable(walked.errors[0]?.message ?? 'a broken pickle');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let stack: PV[] = [];
  const marks: PV[][] = [];
  const memo = new Map<number, PV>();
  let values = 0;
  const pop = (): PV => {
    if (!stack.length) throw new Unreadable('the stack runs empty');
    return stack.pop() as PV;
  };
  const popMark = (): PV[] => {
    const items = stack;
    const outer = marks.pop();
    if (!outer) throw new Unreadable('no mark to pop to');
    stack = outer;
    return items;
  };
  const top = (): PV => {
    const v = stack[stack.length - 1];
    if (v === undefined) throw new Unreadable('the stack is empty');
    return v;
  };
  const setItems = (target: PV, items: PV[]) => {
    if (isObj(target, 'dict'))
      for (let i = 0; i + 1 < items.length; i += 2) target.entries.push([items[i] as PV, items[i + 1] as PV]);
    else if (!isObj(target, 'obj')) throw new Unreadable('items set on something that is not a dict');
  };
  const text = (from: number, to: number) =>
    decodeUtf8(bytes.subarray(from, to)) ?? decodeLatin1(bytes.subarray(from, to));
  for (const [at, code, end] of ops) {
    if (++values > MAX_VALUES) throw new Unreadable('more values than the reader keeps');
    const name = OPCODES[code]?.name ?? '?';
    try {
      step(at, name, end);
    } catch (e) {
      if (e instanceof Unreadable) throw new Unreadable(`${e.message} (${name} at byte ${at})`);
      throw e;
    }
  }
  return stack[stack.length - 1] ?? null;

  function step(at: number, name: string, end: number): void {
    const arg = at + 1;
    switch (name) {
      case 'PROTO':
      case 'FRAME':
      case 'STOP':
        break;
      case 'MARK':
        marks.push(stack);
        stack = [];
        break;
      case 'EMPTY_DICT':
        stack.push({ k: 'dict', entries: [] });
        break;
      case 'EMPTY_LIST':
      case 'EMPTY_TUPLE':
        stack.push([]);
        break;
      case 'TUPLE':
      case 'LIST': {
        const items = popMark(); // before `stack` is read: popMark replaces it
        stack.push(items);
        break;
      }
      case 'DICT': {
        const d: PV = { k: 'dict', entries: [] };
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 'TUPLE1':
        stack.push([pop()]);
        break;
      case 'TUPLE2': {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 'TUPLE3': {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 'SETITEM': {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 'SETITEMS': {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 'APPEND': {
        const v = pop();
        const l = top();
        if (Array.isArray(l)) l.push(v);
        break;
      }
      case 'APPENDS': {
        const items = popMark();
        const l = top();
        if (Array.isArray(l)) l.push(...items);
        break;
      }
      case 'BINUNICODE':
        stack.push(text(arg + 4, end));
        break;
      case 'SHORT_BINUNICODE':
      case 'SHORT_BINSTRING':
        stack.push(text(arg + 1, end));
        break;
      case 'BINUNICODE8':
        stack.push(text(arg + 8, end));
        break;
      case 'BINSTRING':
        stack.push(text(arg + 4, end));
        break;
      case 'BININT':
        stack.push(dv.getInt32(arg, true));
        break;
      case 'BININT1':
        stack.push(bytes[arg] ?? 0);
        break;
      case 'BININT2':
        stack.push(dv.getUint16(arg, true));
        break;
      case 'LONG1':
        stack.push(long1(bytes.subarray(arg + 1, end)));
        break;
      case 'INT': {
        const t = decodeLatin1(bytes.subarray(arg, end - 1)).trim();
        stack.push(t === '00' ? false : t === '01' ? true : Number(t));
        break;
      }
      case 'BINFLOAT':
        stack.push(dv.getFloat64(arg, false));
        break;
      case 'NONE':
        stack.push(null);
        break;
      case 'NEWTRUE':
        stack.push(true);
        break;
      case 'NEWFALSE':
        stack.push(false);
        break;
      case 'SHORT_BINBYTES':
      case 'BINBYTES':
      case 'BINBYTES8':
        stack.push({ k: 'obj', what: 'bytes' });
        break;
      case 'GLOBAL': {
        const line = decodeLatin1(bytes.subarray(arg, end - 1));
        const nl = line.indexOf('\n');
        stack.push({ k: 'global', name: `${line.slice(0, nl)}.${line.slice(nl + 1)}` });
        break;
      }
      case 'STACK_GLOBAL': {
        const n = pop();
        const m = pop();
        if (typeof m !== 'string' || typeof n !== 'string')
          throw new Unreadable('STACK_GLOBAL of something not a string');
        stack.push({ k: 'global', name: `${m}.${n}` });
        break;
      }
      case 'BINPUT':
        memo.set(bytes[arg] ?? 0, top());
        break;
      case 'LONG_BINPUT':
        memo.set(dv.getUint32(arg, true), top());
        break;
      case 'MEMOIZE':
        memo.set(memo.size, top());
        break;
      case 'BINGET':
      case 'LONG_BINGET': {
        const i = name === 'BINGET' ? (bytes[arg] ?? 0) : dv.getUint32(arg, true);
        const v = memo.get(i);
        if (v === undefined) throw new Unreadable(`memo ${i} read before it is written`);
        stack.push(v);
        break;
      }
      case 'REDUCE': {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 'NEWOBJ': {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 'BUILD':
        // The state of an OrderedDict (its `_metadata`) or of an object: nothing a tensor spec needs.
        pop();
        break;
      case 'BINPERSID':
        stack.push(persistent(pop(), storages));
        break;
      case 'POP':
        pop();
        break;
      case 'POP_MARK':
        popMark();
        break;
      case 'DUP':
        stack.push(top());
        break;
      default:
        throw new Unreadable(`opcode ${name}, which torch.save does not write`);
    }
  }
}

/** The tensor table of a torch zip, reading its directory, its data.pkl and nothing of the tensor data. */
export async function torchTensors(reader: Reader, size: number): Promise<TorchTable> {
  const index = await readZipIndex(reader, size);
  if (!index || !index.entries.length)
    return {
      ok: false,
      code: 'not-a-zip',
      message: 'it is not a zip archive (torch.save has written zips since torch 1.6)',
    };
  const pkl = index.entries
    .filter((e) => /^([^/]+\/)?data\.pkl$/.test(e.name))
    .sort((a, b) => a.name.length - b.name.length)[0];
  if (!pkl) return { ok: false, code: 'no-data-pkl', message: 'the archive has no data.pkl' };
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const member = await readMember(reader, pkl, MAX_TENSOR_PICKLE + 1);
  if (!member.ok) return { ok: false, code: 'data-pkl-unreadable', message: member.message };
  if (member.bytes.length > MAX_TENSOR_PICKLE)
    return {
      ok: false,
      code: 'data-pkl-unreadable',
      message: `data.pkl is over the ${MAX_TENSOR_PICKLE}-byte limit for reading tensor specs`,
    };
  const storages = new Map<string, TorchStorage>();
  let root: PV;
  try {
    root = await evaluate(member.bytes, storages);
  } catch (e) {
    if (!(e instanceof Unreadable)) throw e;
    return {
      ok: false,
      code: 'data-pkl-unreadable',
      message: `data.pkl cannot be read for tensors: ${e.message}`,
    };
  }
  const dict = stateDict(root, 'data.pkl');
  if (!dict.ok) return dict;
  const byName = new Map(index.entries.map((e) => [e.name, e]));
  for (const s of storages.values()) s.entry = byName.get(`${prefix}data/${s.key}`);
  const order = byName.get(`${prefix}byteorder`);
  let byteorder = 'little';
  if (order && order.size <= 16) {
    const m = await readMember(reader, order, 16);
    if (m.ok) byteorder = decodeLatin1(m.bytes).trim();
  }
  return { ...dict, storages, byteorder };
}

/** The state dict in what the pickle built (unwrapped from `{"state_dict": …}` as the converter does). */
function stateDict(
  root: PV,
  what: string,
):
  | { ok: true; tensors: TorchTensor[]; unwrapped?: string; opaque: { name: string; what: string }[] }
  | { ok: false; code: 'not-a-state-dict'; message: string } {
  let unwrapped: string | undefined;
  if (isObj(root, 'dict')) {
    const inner = root.entries.find(([k]) => k === 'state_dict')?.[1];
    if (isObj(inner, 'dict')) {
      root = inner;
      unwrapped = 'state_dict';
    }
  }
  if (!isObj(root, 'dict'))
    return {
      ok: false,
      code: 'not-a-state-dict',
      message: `${what} holds ${describeValue(root)}, not a state dict of tensors`,
    };
  const tensors: TorchTensor[] = [];
  const opaque: { name: string; what: string }[] = [];
  for (const [k, v] of root.entries) {
    const name = typeof k === 'string' ? k : describeValue(k);
    if (isObj(v, 'tensor')) tensors.push({ name, ...v.t });
    else opaque.push({ name, what: describeValue(v) });
  }
  return { ok: true, tensors, ...(unwrapped ? { unwrapped } : {}), opaque };
}

/**
 * The tensor table of torch's legacy format (torch/serialization.py `_legacy_save`, before 1.6): five
 * pickles in a row — the magic number, the protocol version, sys_info, the object (storages as persistent
 * ids `('storage', type, key, location, numel, view_metadata)`), the sorted list of storage keys — then each
 * storage in that order as an 8-byte little-endian element count and its bytes (THPStorage_writeFileRaw).
 * Where each storage's bytes start follows from the counts, which the caller confirms when it reads there.
 */
export async function torchLegacyTensors(reader: Reader, size: number): Promise<TorchTable> {
  const head = await reader.read(0, 2 + TORCH_LEGACY_MAGIC.length);
  if (head[0] !== 0x80 || !TORCH_LEGACY_MAGIC.every((b, i) => head[2 + i] === b))
    return { ok: false, code: 'not-legacy', message: "it does not open with torch's legacy magic number" };
  const spans: [number, number][] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const r = await walkPickle(reader, at);
    if (r.errors.length || !r.complete)
      return { ok: false, code: 'legacy-unreadable', message: `pickle ${i + 1} of 5 is broken` };
    spans.push([at, r.end]);
    at = r.end;
  }
  const [, , , data, keys] = spans;
  if (!data || !keys || data[1] - data[0] > MAX_TENSOR_PICKLE)
    return {
      ok: false,
      code: 'legacy-unreadable',
      message: `the data pickle is over the ${MAX_TENSOR_PICKLE}-byte limit`,
    };
  const storages = new Map<string, TorchStorage>();
  let root: PV;
  let order: PV;
  try {
    root = await evaluate(await reader.read(data[0], data[1]), storages);
    order = await evaluate(await reader.read(keys[0], keys[1]), new Map());
  } catch (e) {
    if (!(e instanceof Unreadable)) throw e;
    return {
      ok: false,
      code: 'legacy-unreadable',
      message: `the pickles cannot be read for tensors: ${e.message}`,
    };
  }
  const dict = stateDict(root, 'the data pickle');
  if (!dict.ok) return dict;
  if (!Array.isArray(order) || !order.every((k) => typeof k === 'string'))
    return { ok: false, code: 'legacy-unreadable', message: 'the storage keys are not a list of strings' };
  for (const key of order) {
    const s = storages.get(key);
    if (!s || !s.itemsize || s.view)
      return {
        ok: false,
        code: 'legacy-unreadable',
        message: `storage ${JSON.stringify(key)} ${!s ? 'is listed but never used' : s.view ? 'is a view (view_metadata)' : `is of type ${s.dtype}`}: the storages after it cannot be located`,
      };
    s.countAt = at;
    at += 8 + s.numel * s.itemsize;
  }
  if (at > size)
    return {
      ok: false,
      code: 'legacy-unreadable',
      message: `the storages need ${at} bytes; the file has ${size}`,
    };
  return { ...dict, storages, byteorder: 'little' };
}
