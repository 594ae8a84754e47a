// Pickle, protocols 0–5: a symbolic pickle machine. Nothing is executed: the walker reads each opcode with
// its argument (lib/formats/pickle-ops.ts, after CPython's pickletools) and models the stack, the marks and
// the memo, so that what a GLOBAL/STACK_GLOBAL/INST/OBJ really imports and what REDUCE/BUILD/NEWOBJ really
// call is known however the values got there (memo round trips included).
// Spec: https://github.com/python/cpython/blob/main/Lib/pickletools.py and Lib/pickle.py (load_* methods).
// Checked: every opcode's argument, stack and mark discipline, memo references, truncation, bytes after
// STOP (by the caller), joblib inline array payloads, FRAME honesty, pickles embedded in bytes or in base64
// and hex strings. Not checked: the EXT registry's contents (empty unless the loading program fills it).
import {
  Cursor,
  LineTooLong,
  Reader,
  SHORT,
  SourceDataError,
  Truncated,
  decodeBase64,
  decodeHex,
  decodeLatin1,
  decodeUtf8,
  i32,
  memorySource,
  u16,
} from './bytes';
import { OPCODES } from './pickle-ops';
import {
  classifyImport,
  normaliseModule,
  WEIGHTS_ONLY_OPCODES,
  isWeightsOnlyGlobal,
  type ImportSafety,
} from './pickle-policy';
import type { Finding, FindingCode, PickleImport } from './types';

/** Bounds every walk: a 200 MB pickle of small objects stays well under these. */
const MAX_OPCODES = 100_000_000;
/** Symbolic stack depth; a real pickle nests far less, a hostile one could grow it without end. */
export const MAX_STACK = 1_000_000;
/** Memo entries: a real 200 MB pickle of small objects memoizes tens of millions of values. */
const MAX_MEMO = 50_000_000;
/** Protocol 0 arguments are lines; CPython has no limit, we stop a runaway line here. */
export const MAX_LINE = 64 * 1024;
/** Strings longer than this are kept as a length only (no import name is this long). */
const MAX_KEPT_STRING = 4096;
/** Items kept per tuple/list/dict for resolving arguments; the rest are counted only. */
const MAX_TRACKED_ITEMS = 32;
const MAX_IMPORTS = 10_000;
/** Containers whose items are kept (call arguments, joblib array states); later ones share a stand-in. */
const MAX_TRACKED_CONTAINERS = 200_000;
/** Memo indices with a presence bit (at most 8 MiB of bits, grown as indices come); larger ones in a map. */
const MEMO_INDEX_SPAN = 1 << 26;
/**
 * Memo values worth keeping sit in chunks of 1,024 slots, allocated when a value lands in them: a sequential
 * pickle fills them in turn, a spray of scattered indices pays one 8 KiB chunk per PUT at most, and never
 * more than MAX_MEMO_CHUNKS (128 MiB of slots); past that, values go to a map of MAX_SPARSE_MEMO entries.
 */
const MEMO_CHUNK_BITS = 10;
const MEMO_CHUNK_MASK = (1 << MEMO_CHUNK_BITS) - 1;
const MAX_MEMO_CHUNKS = 16_384;
/** Memo entries kept in the map (indices past MEMO_INDEX_SPAN, values past the chunks' bound). */
export const MAX_SPARSE_MEMO = 1_000_000;
/** Memoized strings kept; later ones are opaque (module names are memoized early, by the first import). */
export const MAX_MEMO_STRINGS = 1_000_000;
const MAX_CALLS = 10_000;
/** Nested pickles (joblib object arrays) walked inside one pickle. */
const MAX_NESTING = 8;
/** Embedded pickles walked per pickle (each at most MAX_KEPT_STRING bytes, the size of a kept argument). */
const MAX_EMBEDDED = 64;
/** Shortest base64/hex text worth decoding: a pickle that imports anything is longer. */
const MIN_ENCODED_PICKLE = 16;

/**
 * A text that decodes, as hex or base64, to the start of a pickle (its first byte 0x80 is "80" in hex and "g"
 * then A–D in base64): a pickle carried as a string, in a pickle or in a Keras config.
 */
export function encodedPickle(v: string): { bytes: Uint8Array; encoding: 'hex' | 'base64' } | undefined {
  if (v.length < MIN_ENCODED_PICKLE) return undefined;
  const text = v.trim();
  const hex = text.startsWith('80');
  const bytes = hex ? decodeHex(text) : /^g[A-D]/.test(text) ? decodeBase64(text) : undefined;
  return bytes && looksLikePickle(bytes) ? { bytes, encoding: hex ? 'hex' : 'base64' } : undefined;
}

/** PROTO 2–5 then an opcode: how every pickle a scanner cares about begins. */
export function looksLikePickle(b: Uint8Array): boolean {
  return (
    b.length >= 4 && b[0] === 0x80 && (b[1] ?? 9) >= 2 && (b[1] ?? 9) <= 5 && OPCODES[b[2] ?? 0] !== undefined
  );
}

/** A symbolic value; strings are kept unboxed (one allocation fewer per string in a large pickle). */
type Val =
  | string
  | { k: 'bytes'; n: number }
  | { k: 'int'; v: number }
  | { k: 'global'; module: string; name: string }
  | { k: 'call'; fn: Val; args: Val; state?: Val }
  | { k: 'seq'; items: Val[]; n: number }
  | { k: 'dict'; entries: [Val, Val][]; n: number }
  | { k: 'other' };

type Boxed = Exclude<Val, string>;
/** The value as the given kind of boxed value, or undefined (strings and other kinds). */
export function kindOf<K extends Boxed['k']>(v: Val | undefined, k: K): Extract<Boxed, { k: K }> | undefined {
  return typeof v === 'object' && v.k === k ? (v as Extract<Boxed, { k: K }>) : undefined;
}

const OTHER: Val = { k: 'other' };
/** Shared stand-ins once the tracking budget is spent: their items are not kept. */
const UNTRACKED_SEQ: Val = { k: 'seq', items: [], n: 0 };
const UNTRACKED_DICT: Val = { k: 'dict', entries: [], n: 0 };
const OPAQUE_STR: Val = { k: 'other' };
/** Opcodes whose argument is text (the *UNICODE and *STRING ones), by byte: no name compared per string. */
const TEXT_OPS = new Uint8Array(256);
/** TEXT_OPS' values: Python 2 str (STRING, SHORT_BINSTRING, BINSTRING), and UTF-8 text (the UNICODEs). */
const LATIN1 = 1;
const UTF8 = 2;
for (const c of [0x53, 0x55, 0x54]) TEXT_OPS[c] = LATIN1;
for (const c of [0x56, 0x8c, 0x58, 0x8d]) TEXT_OPS[c] = UTF8;
/** rareOp's outcomes: go on, STOP was met, a joblib array's raw bytes come next. */
const CONTINUE = 0;
const STOPPED = 1;
const JOBLIB_ARRAY = 2;
/** The opcode's name, for messages. */
const opName = (code: number): string => OPCODES[code]?.name ?? `0x${code.toString(16)}`;
/** BININT1's values, shared (pushed by the million). */
const BYTE_INTS: Val[] = Array.from({ length: 256 }, (_, v) => ({ k: 'int', v }));
/**
 * BININT2's, shared once made: made as they come, since making all 65,536 at start-up cost a CLI run four
 * garbage collections before its first file.
 */
const SHORT_INTS = new Array<Val | undefined>(65536);

interface PickleCall {
  callee: string;
  op: string;
  offset: number;
}

export interface PickleResult {
  start: number;
  /** Offset just after STOP, or where the walk broke. */
  end: number;
  complete: boolean;
  protocol?: number;
  opcodes: number;
  imports: PickleImport[];
  calls: PickleCall[];
  /** pickle-* error findings: why the walk stopped early, with the offset. */
  errors: Finding[];
  usedOps: Set<string>;
  persistentIds: number;
  /** Would torch 1.13's weights_only unpickler accept every opcode and global seen? */
  weightsOnly: boolean;
  /** Joblib arrays whose raw bytes were skipped. */
  joblibArrays: number;
  /** Slots the memo held at the end (its memory, bounded: see MAX_MEMO_CHUNKS, MAX_SPARSE_MEMO). */
  memoSlots: number;
  /** The value STOP returned, symbolically. */
  top?: Val;
  /** Findings about the program rather than its imports: frame lies, BUILD on a global. */
  findings: Finding[];
  /** Pickles found inside this one's bytes or strings (raw, base64 or hex), walked in turn. */
  embedded: PickleResult[];
}

interface WalkOptions {
  /** Last offset the pickle may use (exclusive); defaults to the reader's size. */
  end?: number;
  /** The archive member or embedded stream, for import locations. */
  where?: string;
  /** Receives every chunk of bytes the walker reads, for substring rules (paper R5). */
  onBytes?: (bytes: Uint8Array, offset: number) => void;
  depth?: number;
  /** Called after each opcode with its offset, its byte and where its argument ends (for disassembly). */
  onOp?: (at: number, code: number, end: number) => void;
}

class Broken extends Error {
  constructor(
    readonly code: FindingCode,
    message: string,
  ) {
    super(message);
  }
}

/** Python string-literal unescaping for protocol 0 STRING arguments ('...' or "..."). */
function unquote(text: string): string | undefined {
  const q = text[0];
  if ((q !== "'" && q !== '"') || text.length < 2 || text[text.length - 1] !== q) return undefined;
  return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return { n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' }[e] ?? e;
  });
}

/** raw-unicode-escape, as protocol 0 UNICODE uses. */
function rawUnicodeUnescape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a?: string, b?: string) =>
    String.fromCodePoint(parseInt(a ?? b ?? '0', 16)),
  );
}

export function describe(v: Val | undefined): string {
  if (v === undefined) return '?';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  switch (v.k) {
    case 'global':
      return `${v.module}.${v.name}`;
    case 'call':
      return `the result of ${describe(v.fn)}(…)`;
    case 'int':
      return String(v.v);
    case 'bytes':
      return `${v.n} bytes`;
    case 'seq':
      return `a sequence of ${v.n}`;
    case 'dict':
      return `a dict of ${v.n}`;
    case 'other':
      return 'a value';
  }
}

/**
 * numpy dtype descr ('<f8', 'i4', 'O8', 'U5', 'S3', 'V16', '<M8[ns]') to item size and whether it holds
 * objects. datetime64 ('M') and timedelta64 ('m') carry a unit, with an optional multiplier ('<M8[25s]'); they
 * are 8-byte integers (numpy/core/src/multiarray/datetime.c).
 */
export function dtypeItemSize(descr: string, elsize?: number): { size: number; object: boolean } | undefined {
  const m = /^[<>|=]?([a-zA-Z])(\d*)(\[\d*(?:[YMWDhms]|ms|us|μs|ns|ps|fs|as|generic)\])?$/.exec(descr);
  if (!m) return undefined;
  const kind = m[1] ?? '';
  const n = m[2] ? Number(m[2]) : undefined;
  if (m[3] !== undefined && kind !== 'M' && kind !== 'm') return undefined;
  if (kind === 'O') return { size: 8, object: true };
  if (kind === 'U') return { size: 4 * (n ?? 0), object: false };
  if (kind === 'V' && elsize !== undefined && elsize > 0) return { size: elsize, object: false };
  if (n !== undefined) return { size: n, object: false };
  const single: Record<string, number> = {
    '?': 1,
    b: 1,
    B: 1,
    h: 2,
    H: 2,
    i: 4,
    I: 4,
    l: 8,
    L: 8,
    q: 8,
    Q: 8,
    e: 2,
    f: 4,
    d: 8,
    g: 16,
    F: 8,
    D: 16,
  };
  const s = single[kind];
  return s ? { size: s, object: false } : undefined;
}

class PickleMachine {
  /** The stack: slots [0, sp); the array never shrinks (pushes and pops move sp, never the array's length). */
  private stack: Val[] = [];
  private sp = 0;
  private marks: number[] = [];
  /**
   * The memo. CPython's is a dict; picklers write indices 0, 1, 2…, so values live in small chunks, allocated
   * only where a value worth keeping was memoized, with one presence bit per index; indices past
   * MEMO_INDEX_SPAN and values past the chunks' bound go to a bounded map. Past every bound the memo
   * overflows: what is written then is forgotten, and reading it back gives an opaque value (an import
   * through it is dynamic, so dangerous): the walk goes on, and a payload after a spray is still judged.
   */
  private memoChunks: ((Val | undefined)[] | undefined)[] = [];
  private memoChunkCount = 0;
  private memoPresent = new Uint8Array(64);
  /**
   * While the memo's indices are exactly 0…memoCount−1 (picklers write them in order), presence is
   * `idx < memoCount` and no bit is touched; the first gap, or a forgotten entry, turns the bits on.
   */
  private memoDense = true;
  private sparseMemo = new Map<number, Val>();
  private memoOverflow = false;
  private memoCount = 0;

  private s: Cursor;
  private result: PickleResult;
  private importKeys = new Set<string>();
  /** Extension codes this pickle registered (copyreg.add_extension), and what each imports. */
  private extensions = new Map<number, { module: string; name: string }>();
  private candidates: { bytes: Uint8Array; at: number; encoding: string }[] = [];
  private seenOps = new Uint8Array(256);
  /** Where the current FRAME ends, while inside one; -1 outside (a number either way: one compare per opcode). */
  private frameEnd = -1;
  /** Where the opcode being run began: a step that met the window's end runs again from there. */
  private opStart = 0;
  /** A joblib array's BUILD, whose raw bytes the loop skips outside the synchronous steps. */
  private joblibBuild: { state: Val; at: number } | undefined;
  /** Containers whose items are tracked; past MAX_TRACKED_CONTAINERS new ones are shared and empty. */
  private trackedContainers = 0;
  private memoStrings = 0;

  constructor(
    private readonly reader: Reader,
    start: number,
    private readonly opts: WalkOptions = {},
  ) {
    const end = opts.end ?? reader.size ?? Number.MAX_SAFE_INTEGER;
    this.s = new Cursor(reader, start, end, opts.onBytes);
    this.result = {
      start,
      end: start,
      complete: false,
      opcodes: 0,
      imports: [],
      calls: [],
      errors: [],
      usedOps: new Set(),
      persistentIds: 0,
      weightsOnly: true,
      joblibArrays: 0,
      memoSlots: 0,
      findings: [],
      embedded: [],
    };
  }

  private fail(code: FindingCode, message: string, offset: number): never {
    throw new Broken(code, `${message} at byte ${offset}`);
  }

  /** Where the stack above the last MARK begins (0 without one): kept as the marks change. */
  private base = 0;

  private openMark(at: number): void {
    if (this.marks.length >= MAX_STACK) this.fail('pickle-limit', 'too many open MARKs', at);
    this.marks.push(this.sp);
    this.base = this.sp;
  }

  /** Closes the last MARK: its position, or undefined without one. */
  private closeMark(): number | undefined {
    const m = this.marks.pop();
    const marks = this.marks;
    this.base = marks.length ? (marks[marks.length - 1] as number) : 0;
    return m;
  }

  private push(v: Val, at: number): void {
    if (this.sp >= MAX_STACK) this.fail('pickle-limit', `the stack grows past ${MAX_STACK} items`, at);
    this.stack[this.sp++] = v;
  }

  private pop(at: number): Val {
    if (this.sp <= this.base) this.fail('pickle-stack-underflow', 'an opcode pops an empty stack', at);
    return this.stack[--this.sp] as Val;
  }

  private top(at: number): Val {
    if (this.sp <= this.base)
      this.fail('pickle-stack-underflow', 'an opcode needs a value on an empty stack', at);
    return this.stack[this.sp - 1] as Val;
  }

  /**
   * Pops the last MARK and the items above it, returning where they begin: they stay readable in the array,
   * up to the old stack pointer, until the next push (nothing is copied out).
   */
  private popToMark(at: number): number {
    const m = this.closeMark();
    if (m === undefined) this.fail('pickle-no-mark', 'an opcode needs a MARK and there is none', at);
    this.sp = m;
    return m;
  }

  /** APPENDS, ADDITEMS, SETITEMS: the items above the MARK go into the container below it. */
  private extendBelowMark(at: number, dict: boolean): void {
    const to = this.sp;
    const from = this.popToMark(at);
    const target = this.top(at);
    if (dict) this.setItems(target, from, to);
    else this.appendTo(target, from, to);
  }

  private addImport(module: string, name: string, at: number, forced?: ImportSafety): void {
    const key = `${module}\n${name}`;
    if (!isWeightsOnlyGlobal(normaliseModule(module), name)) this.result.weightsOnly = false;
    if (this.importKeys.has(key) || this.result.imports.length >= MAX_IMPORTS) return;
    this.importKeys.add(key);
    const { safety, reason } = forced ?? classifyImport(module, name);
    const imp: PickleImport = { module, name, safety, offset: at };
    if (reason && safety !== 'innocuous') imp.reason = reason;
    if (this.opts.where) imp.where = this.opts.where;
    this.result.imports.push(imp);
  }

  private addCall(fn: Val, op: string, at: number): void {
    if (this.result.calls.length < MAX_CALLS)
      this.result.calls.push({ callee: describe(fn), op, offset: at });
  }

  private dict(): Val {
    if (++this.trackedContainers > MAX_TRACKED_CONTAINERS) return UNTRACKED_DICT;
    return { k: 'dict', entries: [], n: 0 };
  }

  /** Ints below 65,536 share their Val: they are pushed by the million. */
  private int(v: number): Val {
    if (v >= 0 && v < 256) return BYTE_INTS[v] as Val;
    if (v >= 0 && v < 65536) return (SHORT_INTS[v] ??= { k: 'int', v });
    // Past the tracking budget an int can only land in an untracked container: do not allocate it.
    return this.trackedContainers >= MAX_TRACKED_CONTAINERS ? OTHER : { k: 'int', v };
  }

  /** A sequence of the stack's items [from, to): the first MAX_TRACKED_ITEMS kept, the rest counted. */
  private seq(from: number, to: number): Val {
    if (++this.trackedContainers > MAX_TRACKED_CONTAINERS) return UNTRACKED_SEQ;
    return { k: 'seq', items: this.stack.slice(from, Math.min(to, from + MAX_TRACKED_ITEMS)), n: to - from };
  }

  /** Appends the stack's items [from, to) to a tracked sequence (an untracked one only counts nothing). */
  private appendTo(target: Val, from: number, to: number): void {
    const seq = kindOf(target, 'seq');
    if (!seq || seq === UNTRACKED_SEQ) return;
    seq.n += to - from;
    for (let i = from; i < to && seq.items.length < MAX_TRACKED_ITEMS; i++)
      seq.items.push(this.stack[i] as Val);
  }

  /** Sets the stack's items [from, to), key then value, in a tracked dict. */
  private setItems(target: Val, from: number, to: number): void {
    const dict = kindOf(target, 'dict');
    if (!dict || dict === UNTRACKED_DICT) return;
    for (let i = from; i + 1 < to; i += 2) {
      dict.n++;
      if (dict.entries.length < MAX_TRACKED_ITEMS)
        dict.entries.push([this.stack[i] as Val, this.stack[i + 1] as Val]);
    }
  }

  /** LIST, TUPLE, FROZENSET: the items above the MARK. */
  private seqFromMark(at: number): Val {
    const to = this.sp;
    return this.seq(this.popToMark(at), to);
  }

  /** TUPLE1–3: the top n items. */
  private tupleOf(n: number, at: number): Val {
    if (this.sp - this.base < n) this.fail('pickle-stack-underflow', 'an opcode pops an empty stack', at);
    this.sp -= n;
    return this.seq(this.sp, this.sp + n);
  }

  /** APPEND: the popped item is still in its slot, read from there. */
  private append(at: number): void {
    this.pop(at);
    this.appendTo(this.top(at), this.sp, this.sp + 1);
  }

  /** SETITEM: the popped key and value are still in their slots, read from there. */
  private setItem(at: number): void {
    this.pop(at);
    this.pop(at);
    this.setItems(this.top(at), this.sp, this.sp + 2);
  }

  /** REDUCE, NEWOBJ: a callable and its arguments. */
  private call(code: number, at: number): Val {
    const args = this.pop(at);
    const fn = this.pop(at);
    this.addCall(fn, code === 0x52 ? 'REDUCE' : 'NEWOBJ', at);
    if (typeof fn === 'object' && fn.k === 'global' && fn.name === 'add_extension')
      this.noteExtension(fn, args);
    return { k: 'call', fn, args };
  }

  /**
   * copyreg.add_extension(module, name, code) called by the pickle itself: an EXT opcode with that code then
   * imports module.name (CPython's load_ext reads the registry the call filled), which the walk reports as
   * that import, judged as any other.
   */
  private noteExtension(fn: Extract<Val, { k: 'global' }>, args: Val): void {
    if (normaliseModule(fn.module) !== 'copyreg') return;
    const [module, name, code] = kindOf(args, 'seq')?.items ?? [];
    const id = kindOf(code, 'int')?.v;
    if (
      typeof module === 'string' &&
      typeof name === 'string' &&
      id !== undefined &&
      this.extensions.size < MAX_IMPORTS
    )
      this.extensions.set(id, { module, name });
  }

  private memoMissing(idx: number, at: number): never {
    this.fail('pickle-memo-missing', `memo entry ${idx} is read before it is written`, at);
  }

  /** Runs until STOP, an error, or a limit; never throws on bad input. */
  async run(): Promise<PickleResult> {
    const r = this.result;
    try {
      await this.loop();
    } catch (e) {
      if (e instanceof Truncated) {
        r.errors.push({
          code: 'pickle-truncated',
          severity: 'error',
          message: `the pickle ends before STOP, at byte ${this.s.pos}`,
        });
      } else if (e instanceof LineTooLong) {
        r.errors.push({
          code: 'pickle-line-too-long',
          severity: 'error',
          message: `a text argument runs past ${MAX_LINE} bytes at byte ${this.s.pos}`,
        });
      } else if (e instanceof Broken) {
        r.errors.push({ code: e.code, severity: 'error', message: e.message });
      } else if (e instanceof SourceDataError) {
        // Our bound on a decompression bomb is a limit of ours; a corrupt stream is the file's breakage.
        r.errors.push({
          code: e.code === 'decompression-limit' ? 'pickle-limit' : 'pickle-compressed-corrupt',
          severity: 'error',
          message: e.message,
        });
      } else {
        // A read failure (network, limit) is not the file's fault: report it as such.
        r.errors.push({
          code: 'pickle-read-failed',
          severity: 'error',
          message: e instanceof Error ? e.message : String(e),
        });
      }
    }
    r.end = this.s.pos;
    r.memoSlots = this.memoFootprint;
    await this.walkEmbedded();
    for (let code = 0; code < 256; code++) {
      const name = OPCODES[code]?.name;
      if (!this.seenOps[code] || !name) continue;
      r.usedOps.add(name);
      if (!WEIGHTS_ONLY_OPCODES.has(name)) r.weightsOnly = false;
    }
    if (!r.complete) r.weightsOnly = false;
    return r;
  }

  /**
   * The walk: synchronous steps over the buffered window (no promise per opcode), and between them the only
   * awaits — a refill when a step met the window's end (it runs again from its opcode, which it left as it
   * found it), and the raw bytes of a joblib array.
   */
  private async loop(): Promise<void> {
    const s = this.s;
    for (;;) {
      try {
        if (this.steps()) return;
        const build = this.joblibBuild;
        this.joblibBuild = undefined;
        if (build) {
          await this.skipJoblibArray(build.state, build.at);
          this.afterOp(build.at, 0x62);
        }
      } catch (e) {
        if (e !== SHORT) throw e;
        const at = this.opStart;
        await s.need(SHORT.n, at);
        // Met past the opcode's byte, it was counted: it will be again.
        if (s.pos !== at) this.result.opcodes--;
        s.pos = at;
      }
    }
  }

  /**
   * Runs opcodes until STOP (true), or a joblib array's BUILD (false; `joblibBuild` says which). Every read
   * is of the window: past its end it throws SHORT before the opcode changed anything, or Truncated.
   */
  private steps(): boolean {
    const s = this.s;
    const r = this.result;
    const stack = this.stack;
    const onOp = this.opts.onOp;
    const seenOps = this.seenOps;
    // The window does not change during a step (refills happen between steps).
    const buf = s.buf;
    const bufStart = s.bufStart;
    const bufEnd = bufStart + buf.length;
    // Where the loop must look up: the window's end, or the open frame's. An opcode that starts inside a
    // frame must end inside it: checked once, where the frame ends, rather than after every opcode.
    let stop = this.stopAt(bufEnd);
    // The opcode count and the current opcode's start live in locals, written back however the step ends.
    let ops = r.opcodes;
    let opStart = this.opStart;
    try {
      for (;;) {
        if (ops >= MAX_OPCODES) this.fail('pickle-limit', `more than ${MAX_OPCODES} opcodes`, s.pos);
        const at = s.pos;
        if (at >= stop) {
          // The opcode before this one (opStart still says where it began) ended at or past the frame's end.
          if (this.frameEnd >= 0 && at >= this.frameEnd) this.checkFrame(opStart);
          stop = this.stopAt(bufEnd);
          opStart = at; // where a refill brings the walk back to
          if (at >= bufEnd) s.want(1);
        }
        opStart = at;
        const code = buf[at - bufStart] as number;
        s.pos++;
        ops++;
        seenOps[code] = 1;

        // Dispatch on the opcode byte: a jump table, where a switch on names compares strings. A case that
        // yields a value leaves it in `out`, pushed below: one push in the loop, not one per case.
        let out: Val | undefined;
        switch (code) {
          // Arguments are read from the window in place (the reads a helper would make, without the call).
          case 0x4a: {
            // BININT
            if (bufEnd - s.pos < 4) s.want(4);
            const p = s.pos - bufStart;
            s.pos += 4;
            out = this.int(
              (buf[p] as number) |
                ((buf[p + 1] as number) << 8) |
                ((buf[p + 2] as number) << 16) |
                ((buf[p + 3] as number) << 24),
            );
            break;
          }
          case 0x4b: // BININT1
            if (s.pos >= bufEnd) s.want(1);
            out = BYTE_INTS[buf[s.pos++ - bufStart] as number];
            break;
          case 0x4d: {
            // BININT2
            if (bufEnd - s.pos < 2) s.want(2);
            const p = s.pos - bufStart;
            s.pos += 2;
            out = this.int((buf[p] as number) | ((buf[p + 1] as number) << 8));
            break;
          }
          case 0x47: // BINFLOAT
            if (bufEnd - s.pos < 8) s.want(8);
            s.pos += 8;
            out = OTHER;
            break;
          case 0x4e: // NONE
          case 0x88: // NEWTRUE
          case 0x89: // NEWFALSE
          case 0x97: // NEXT_BUFFER
            out = OTHER;
            break;
          case 0x55: // SHORT_BINSTRING
          case 0x43: // SHORT_BINBYTES
          case 0x8c: {
            // SHORT_BINUNICODE
            if (s.pos >= bufEnd) s.want(1);
            const n = buf[s.pos++ - bufStart] as number;
            if (bufEnd - s.pos < n) s.want(n);
            out = this.stringArg(code, n, at);
            break;
          }
          case 0x42: // BINBYTES
          case 0x58: {
            // BINUNICODE
            s.want(4);
            const n = s.u32();
            if (n <= MAX_KEPT_STRING) s.want(n);
            out = this.stringArg(code, n, at);
            break;
          }
          case 0x5d: // EMPTY_LIST
          case 0x29: // EMPTY_TUPLE
          case 0x8f: // EMPTY_SET
            out = this.seq(this.sp, this.sp); // no items
            break;
          case 0x7d: // EMPTY_DICT
            out = this.dict();
            break;
          case 0x61: // APPEND
            this.append(at);
            break;
          case 0x65: // APPENDS
          case 0x90: // ADDITEMS
            this.extendBelowMark(at, false);
            break;
          case 0x6c: // LIST
          case 0x74: // TUPLE
          case 0x91: // FROZENSET
            out = this.seqFromMark(at);
            break;
          case 0x85: // TUPLE1
          case 0x86: // TUPLE2
          case 0x87: // TUPLE3
            out = this.tupleOf(code - 0x84, at); // TUPLE1 0x85, TUPLE2 0x86, TUPLE3 0x87
            break;
          case 0x73: // SETITEM
            this.setItem(at);
            break;
          case 0x75: // SETITEMS
            this.extendBelowMark(at, true);
            break;
          case 0x28: // MARK
            this.openMark(at);
            break;
          case 0x68: {
            // BINGET
            if (s.pos >= bufEnd) s.want(1);
            const idx = buf[s.pos++ - bufStart] as number;
            out = this.memoGet(idx) ?? this.memoMissing(idx, at);
            break;
          }
          case 0x67: // GET
          case 0x6a: {
            // LONG_BINGET
            const idx = this.memoIndex(code, at);
            out = this.memoGet(idx) ?? this.memoMissing(idx, at);
            break;
          }
          case 0x71: {
            // BINPUT
            if (s.pos >= bufEnd) s.want(1);
            const idx = buf[s.pos++ - bufStart] as number;
            this.memoPut(idx, this.top(at), at);
            break;
          }
          case 0x70: // PUT
          case 0x72: // LONG_BINPUT
            this.memoPut(this.memoIndex(code, at), this.top(at), at);
            break;
          case 0x94: // MEMOIZE
            this.memoPut(this.memoCount, this.top(at), at);
            break;
          case 0x52: // REDUCE
          case 0x81: // NEWOBJ
            out = this.call(code, at);
            break;
          case 0x51: // BINPERSID
            this.pop(at);
            r.persistentIds++;
            out = OTHER;
            break;
          default: {
            if (OPCODES[code] === undefined) {
              // Not an opcode: the walk ends before it (its byte counts neither as read nor as an opcode).
              s.pos = at;
              ops--;
              this.fail(
                'pickle-bad-opcode',
                `byte 0x${code.toString(16).padStart(2, '0')} is not a pickle opcode`,
                at,
              );
            }
            // The rest, in a method of its own: a step small enough for the compiler to inline its helpers.
            const status = this.rareOp(code, at);
            if (status === STOPPED) return true;
            if (status === JOBLIB_ARRAY) return false;
            stop = this.stopAt(bufEnd); // a FRAME opens one
          }
        }
        if (out !== undefined) {
          if (this.sp >= MAX_STACK) this.fail('pickle-limit', `the stack grows past ${MAX_STACK} items`, at);
          stack[this.sp++] = out;
        }
        if (onOp) onOp(at, code, s.pos);
      }
    } finally {
      r.opcodes = ops;
      this.opStart = opStart;
    }
  }

  /** The opcodes real pickles use rarely (protocol 0's text, framing, imports, STOP): one step of steps(). */
  private rareOp(code: number, at: number): number {
    const s = this.s;
    const r = this.result;
    const stack = this.stack;
    const onOp = this.opts.onOp;
    switch (code) {
      case 0x49: {
        // INT
        const t = s.lineNow(MAX_LINE);
        if (t === '00' || t === '01') this.push(OTHER, at);
        else if (!/^[-+]?\d+$/.test(t.trim()))
          this.fail('pickle-bad-argument', `INT has a non-integer argument`, at);
        else this.push({ k: 'int', v: Number(t) }, at);
        break;
      }
      case 0x4c: {
        // LONG
        const t = s.lineNow(MAX_LINE);
        if (!/^[-+]?\d+L?$/.test(t.trim()))
          this.fail('pickle-bad-argument', 'LONG has a non-integer argument', at);
        this.push({ k: 'int', v: Number(t.replace(/L$/, '')) }, at);
        break;
      }
      case 0x8a: {
        // LONG1
        s.want(1);
        const n = s.u8();
        s.want(n);
        s.pos += n;
        this.push(OTHER, at);
        break;
      }
      case 0x8b: {
        // LONG4
        s.want(4);
        const n = s.i32();
        if (n < 0) this.fail('pickle-bad-argument', 'LONG4 has a negative length', at);
        s.skip(n);
        this.push(OTHER, at);
        break;
      }
      case 0x46: // FLOAT
        s.lineNow(MAX_LINE);
        this.push(OTHER, at);
        break;
      case 0x53: {
        // STRING
        const v = unquote(s.lineNow(MAX_LINE));
        if (v === undefined) this.fail('pickle-bad-argument', 'STRING is not a quoted string', at);
        this.push(v, at);
        break;
      }
      case 0x56: // UNICODE
        this.push(rawUnicodeUnescape(s.lineNow(MAX_LINE)), at);
        break;
      case 0x54: {
        // BINSTRING
        s.want(4);
        const n = s.i32();
        if (n < 0) this.fail('pickle-bad-argument', 'BINSTRING has a negative length', at);
        if (n <= MAX_KEPT_STRING) s.want(n);
        this.push(this.stringArg(code, n, at), at);
        break;
      }
      case 0x8e: // BINBYTES8
      case 0x8d: // BINUNICODE8
      case 0x96: {
        // BYTEARRAY8
        s.want(8);
        const n = s.u64();
        if (!Number.isFinite(n))
          this.fail('pickle-bad-argument', `${opName(code)} has a length over 2^53`, at);
        if (n <= MAX_KEPT_STRING) s.want(n);
        this.push(this.stringArg(code, n, at), at);
        break;
      }
      case 0x98: // READONLY_BUFFER
        this.top(at);
        break;
      case 0x64: {
        // DICT
        const d: Val = this.dict();
        const to = this.sp;
        this.setItems(d, this.popToMark(at), to);
        this.push(d, at);
        break;
      }
      case 0x30: // POP
        // CPython's load_pop pops a MARK when the stack above it is empty.
        if (this.sp > this.base) this.sp--;
        else if (this.marks.length) this.closeMark();
        else this.fail('pickle-stack-underflow', 'POP on an empty stack', at);
        break;
      case 0x32: // DUP
        this.push(this.top(at), at);
        break;
      case 0x31: // POP_MARK
        this.popToMark(at);
        break;
      case 0x63: {
        // GLOBAL
        const module = s.lineNow(MAX_LINE);
        const name = s.lineNow(MAX_LINE);
        this.addImport(module, name, at);
        this.push({ k: 'global', module, name }, at);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop(at);
        const module = this.pop(at);
        if (typeof module !== 'string' || typeof name !== 'string') {
          // CPython requires two str operands; a value computed at load time hides what is imported.
          this.addImport(
            typeof module === 'string' ? module : `<${describe(module)}>`,
            typeof name === 'string' ? name : `<${describe(name)}>`,
            at,
            {
              safety: 'dangerous',
              reason: 'a dynamic import: STACK_GLOBAL takes a value computed while loading',
            },
          );
          this.push(OTHER, at);
        } else {
          this.addImport(module, name, at);
          this.push({ k: 'global', module, name }, at);
        }
        break;
      }
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: {
        // EXT4
        const n = code === 0x82 ? 1 : code === 0x83 ? 2 : 4;
        s.want(n);
        const b = s.take(n);
        const id = n === 1 ? (b[0] ?? 0) : n === 2 ? u16(b, 0) : i32(b, 0);
        // Registered by this pickle: the real import. Otherwise the loading program's registry (empty unless
        // it filled one) decides, which the file cannot show.
        const ext = this.extensions.get(id) ?? { module: 'copyreg', name: `_extension_registry[${id}]` };
        this.addImport(ext.module, ext.name, at);
        this.push({ k: 'global', module: ext.module, name: ext.name }, at);
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        this.pop(at);
        const args = this.pop(at);
        const cls = this.pop(at);
        this.addCall(cls, 'NEWOBJ_EX', at);
        this.push({ k: 'call', fn: cls, args }, at);
        break;
      }
      case 0x62: {
        // BUILD
        const state = this.pop(at);
        const obj = this.top(at);
        const call = kindOf(obj, 'call');
        if (call) call.state = state;
        if (kindOf(obj, 'global')) {
          // BUILD on a class or module has no __setstate__ to call: it updates its __dict__, overwriting
          // attributes that later code trusts (CPython load_build).
          this.result.findings.push({
            code: 'pickle-build-on-global',
            severity: 'danger',
            message: `BUILD at byte ${at} overwrites attributes of ${describe(obj)}`,
          });
        }
        this.addCall(obj, 'BUILD', at);
        if (
          call &&
          kindOf(call.fn, 'global')?.name === 'NumpyArrayWrapper' &&
          /^(sklearn\.externals\.)?joblib\.numpy_pickle$/.test(kindOf(call.fn, 'global')?.module ?? '')
        ) {
          // joblib commits the frame before writing raw bytes: the BUILD ends the frame, not the array,
          // whose bytes the loop skips (awaiting them) before the opcode ends.
          this.checkFrame(at);
          this.joblibBuild = { state, at };
          return JOBLIB_ARRAY;
        }
        break;
      }
      case 0x69: {
        // INST
        const module = s.lineNow(MAX_LINE);
        const name = s.lineNow(MAX_LINE);
        this.addImport(module, name, at);
        const fn: Val = { k: 'global', module, name };
        const to = this.sp;
        const from = this.popToMark(at);
        this.addCall(fn, 'INST', at);
        this.push({ k: 'call', fn, args: this.seq(from, to) }, at);
        break;
      }
      case 0x6f: {
        // OBJ
        const to = this.sp;
        const from = this.popToMark(at);
        if (from === to) this.fail('pickle-stack-underflow', 'OBJ has no class after its MARK', at);
        const cls = stack[from] as Val;
        this.addCall(cls, 'OBJ', at);
        this.push({ k: 'call', fn: cls, args: this.seq(from + 1, to) }, at);
        break;
      }
      case 0x50: // PERSID
        s.lineNow(MAX_LINE);
        r.persistentIds++;
        this.push(OTHER, at);
        break;
      case 0x80: {
        // PROTO
        s.want(1);
        const v = s.u8();
        if (v > 5) this.fail('pickle-bad-argument', `unsupported protocol ${v}`, at);
        r.protocol ??= v;
        break;
      }
      case 0x95: {
        // FRAME
        s.want(8);
        const n = s.u64();
        // CPython's two unpicklers read frames differently (the C one does not enforce their ends), so a
        // frame that lies is how one file shows scanners one program and runs another.
        if (at < this.frameEnd) {
          this.frameLie(`a FRAME begins at byte ${at}, inside the frame that ends at byte ${this.frameEnd}`);
        }
        if (s.pos + n > s.end)
          this.frameLie(`a FRAME of ${n} bytes at byte ${at} runs past the end of the data`);
        this.frameEnd = s.pos + n;
        break;
      }
      case 0x2e: // STOP
        r.top = this.pop(at);
        r.complete = true;
        this.checkFrame(at);
        onOp?.(at, code, s.pos);
        return STOPPED;
      default:
        this.fail('pickle-bad-opcode', `opcode ${opName(code)} is not handled`, at);
    }
    return CONTINUE;
  }

  /** The window's end, or the open frame's when it comes first. */
  private stopAt(bufEnd: number): number {
    const frameEnd = this.frameEnd;
    return frameEnd >= 0 && frameEnd < bufEnd ? frameEnd : bufEnd;
  }

  /** What ends every opcode, for one that ended outside the loop (a joblib array's BUILD). */
  private afterOp(at: number, code: number): void {
    this.checkFrame(at);
    this.opts.onOp?.(at, code, this.s.pos);
  }

  /** An opcode that starts inside the current frame must end inside it. */
  private checkFrame(at: number): void {
    const end = this.frameEnd;
    if (end < 0) return;
    if (at < end && this.s.pos > end) {
      this.frameLie(`the opcode at byte ${at} runs past the end of its frame at byte ${end}`);
    }
    if (this.s.pos >= end) this.frameEnd = -1;
  }

  private frameLie(message: string): void {
    if (!this.result.findings.some((f) => f.code === 'pickle-frame-lie')) {
      this.result.findings.push({ code: 'pickle-frame-lie', severity: 'danger', message });
    }
  }

  /** GET/PUT's decimal line, LONG_BINGET/LONG_BINPUT's four bytes (the loop reads BINGET/BINPUT's byte). */
  private memoIndex(code: number, at: number): number {
    const s = this.s;
    if (code === 0x6a || code === 0x72) {
      s.want(4);
      return s.u32();
    }
    const t = s.lineNow(MAX_LINE);
    if (!/^\d+$/.test(t)) this.fail('pickle-bad-argument', `${opName(code)} has a non-integer argument`, at);
    return Number(t);
  }

  private memoPut(idx: number, v: Val, at: number): void {
    // The common case first, small enough to inline: the next index, in order, of a stand-in.
    if (
      idx === this.memoCount &&
      this.memoDense &&
      idx < MAX_MEMO &&
      (v === OTHER || v === UNTRACKED_DICT || v === UNTRACKED_SEQ)
    ) {
      this.memoCount++;
      return;
    }
    this.memoPutAny(idx, v, at);
  }

  private memoPutAny(idx: number, v: Val, at: number): void {
    // An index past the next one leaves a gap: presence needs its bits from now on.
    if (this.memoDense && idx > this.memoCount) this.leaveDense();
    if (idx >= MEMO_INDEX_SPAN) {
      this.memoPutFar(idx, v, at);
      return;
    }
    const dense = this.memoDense;
    const byte = idx >>> 3;
    const bit = 1 << (idx & 7);
    if (!dense && byte >= this.memoPresent.length) this.growPresent(byte);
    const bits = this.memoPresent;
    const had = dense ? idx < this.memoCount : ((bits[byte] as number) & bit) !== 0;
    if (!had) this.countMemo(at);
    // Past the budget a string is kept as an opaque stand-in: memory stays bounded, and an import through
    // it is treated as dynamic (dangerous), so the budget cannot hide one.
    if (typeof v === 'string' && ++this.memoStrings > MAX_MEMO_STRINGS) v = OPAQUE_STR;
    if (v === OTHER || v === UNTRACKED_DICT || v === UNTRACKED_SEQ || v === OPAQUE_STR) {
      // A stand-in carries nothing: presence alone answers a GET with OTHER.
      if (had) this.dropKept(idx);
      if (!dense) bits[byte] = (bits[byte] as number) | bit;
    } else if (this.keep(idx, v, at)) {
      if (!dense) bits[byte] = (bits[byte] as number) | bit;
    } else {
      // Forgotten, and so is what the index held before: a GET of it reads an opaque value.
      if (dense) this.leaveDense();
      this.memoPresent[byte] = (this.memoPresent[byte] as number) & ~bit;
    }
  }

  /** Presence by bits from now on: the bits of indices 0…memoCount−1, which dense mode implied, are set. */
  private leaveDense(): void {
    this.memoDense = false;
    const n = this.memoCount;
    if (n >>> 3 >= this.memoPresent.length) this.growPresent(n >>> 3);
    this.memoPresent.fill(0xff, 0, n >>> 3);
    if (n & 7) this.memoPresent[n >>> 3] = (this.memoPresent[n >>> 3] as number) | ((1 << (n & 7)) - 1);
  }

  /** One more memo entry, within MAX_MEMO. */
  private countMemo(at: number): void {
    if (this.memoCount >= MAX_MEMO) this.fail('pickle-limit', `more than ${MAX_MEMO} memo entries`, at);
    this.memoCount++;
  }

  /** An index past MEMO_INDEX_SPAN: in the bounded map. */
  private memoPutFar(idx: number, v: Val, at: number): void {
    if (!this.sparseMemo.has(idx)) this.countMemo(at);
    if (typeof v === 'string' && ++this.memoStrings > MAX_MEMO_STRINGS) v = OPAQUE_STR;
    this.sparsePut(idx, v, at);
  }

  /** Keeps a value worth keeping: in its chunk (allocated now if the bound allows), else in the map. */
  private keep(idx: number, v: Val, at: number): boolean {
    const c = idx >>> MEMO_CHUNK_BITS;
    let chunk = this.memoChunks[c];
    if (!chunk && this.memoChunkCount < MAX_MEMO_CHUNKS) {
      while (this.memoChunks.length < c) this.memoChunks.push(undefined);
      chunk = new Array<Val | undefined>(1 << MEMO_CHUNK_BITS).fill(undefined);
      this.memoChunks[c] = chunk;
      this.memoChunkCount++;
    }
    if (!chunk) return this.sparsePut(idx, v, at);
    chunk[idx & MEMO_CHUNK_MASK] = v;
    return true;
  }

  /** Drops the value an index below MEMO_INDEX_SPAN kept. */
  private dropKept(idx: number): void {
    const chunk = this.memoChunks[idx >>> MEMO_CHUNK_BITS];
    if (chunk) chunk[idx & MEMO_CHUNK_MASK] = undefined;
    // The map is empty in every pickle that is not a spray: no hash lookup then.
    if (this.sparseMemo.size) this.sparseMemo.delete(idx);
  }

  /** Keeps an entry in the bounded map; false (and the memo overflows) when it is full. */
  private sparsePut(idx: number, v: Val, at: number): boolean {
    if (this.sparseMemo.has(idx) || this.sparseMemo.size < MAX_SPARSE_MEMO) {
      this.sparseMemo.set(idx, v);
      return true;
    }
    if (!this.memoOverflow) {
      this.memoOverflow = true;
      this.result.findings.push({
        code: 'pickle-memo-overflow',
        severity: 'warning',
        message: `the memo outgrows its bounds at byte ${at} (over ${MAX_SPARSE_MEMO} scattered entries): later entries are read back as opaque values`,
      });
    }
    return false;
  }

  /** Presence bits up to `byte`, doubled each time (at most MEMO_INDEX_SPAN bits). */
  private growPresent(byte: number): void {
    const grown = new Uint8Array(
      Math.min(MEMO_INDEX_SPAN / 8, Math.max(byte + 1, this.memoPresent.length * 2)),
    );
    grown.set(this.memoPresent);
    this.memoPresent = grown;
  }

  /** The memoized value; undefined when never written (OTHER when written but forgotten in an overflow). */
  private memoGet(idx: number): Val | undefined {
    // The common case first, small enough to inline: an index in the dense memo.
    if (this.memoDense && idx < this.memoCount) {
      const chunk = this.memoChunks[idx >>> MEMO_CHUNK_BITS];
      const v = chunk === undefined ? undefined : chunk[idx & MEMO_CHUNK_MASK];
      if (v !== undefined) return v;
      if (this.sparseMemo.size === 0) return OTHER;
    }
    return this.memoGetAny(idx);
  }

  private memoGetAny(idx: number): Val | undefined {
    const missing = this.memoOverflow ? OTHER : undefined;
    if (idx >= MEMO_INDEX_SPAN) return this.sparseMemo.has(idx) ? this.sparseMemo.get(idx) : missing;
    const byte = idx >>> 3;
    if (
      this.memoDense
        ? idx >= this.memoCount
        : byte >= this.memoPresent.length || ((this.memoPresent[byte] as number) & (1 << (idx & 7))) === 0
    )
      return missing;
    const v = this.memoChunks[idx >>> MEMO_CHUNK_BITS]?.[idx & MEMO_CHUNK_MASK];
    if (v !== undefined) return v;
    return this.sparseMemo.size ? (this.sparseMemo.get(idx) ?? OTHER) : OTHER;
  }

  /** Slots the memo holds now (chunk slots and map entries): its memory, for tests of hostile files. */
  get memoFootprint(): number {
    return this.memoChunkCount * (1 << MEMO_CHUNK_BITS) + this.sparseMemo.size;
  }

  /** A string or bytes argument as a value; the caller buffered it first when it is kept (≤ MAX_KEPT_STRING). */
  private stringArg(code: number, n: number, at: number): Val {
    const s = this.s;
    const text = TEXT_OPS[code];
    const isText = text !== 0;
    if (n > MAX_KEPT_STRING) {
      s.skip(n);
      return isText ? '' : { k: 'bytes', n };
    }
    const ascii = isText ? s.asciiString(n) : undefined;
    if (ascii !== undefined) {
      if (ascii.length >= MIN_ENCODED_PICKLE) this.noteEncoded(ascii, at);
      return ascii;
    }
    const raw = s.take(n);
    if (text === UTF8) {
      const v = decodeUtf8(raw);
      if (v === undefined) this.fail('pickle-bad-argument', `${opName(code)} is not valid UTF-8`, at);
      if (v.length >= MIN_ENCODED_PICKLE) this.noteEncoded(v, at);
      return v;
    }
    // Python 2 str: unpickled as str with the 'ASCII' default encoding, or bytes; names are ASCII.
    if (text === LATIN1) return decodeLatin1(raw);
    if (looksLikePickle(raw)) this.noteEmbedded(raw.slice(), at, 'bytes');
    return { k: 'bytes', n };
  }

  /** A string that decodes (base64 or hex) to something that starts like a pickle. */
  private noteEncoded(v: string, at: number): void {
    if (this.candidates.length >= MAX_EMBEDDED) return;
    const p = encodedPickle(v);
    if (p) this.noteEmbedded(p.bytes, at, p.encoding);
  }

  private noteEmbedded(bytes: Uint8Array, at: number, encoding: string): void {
    if (this.candidates.length < MAX_EMBEDDED) this.candidates.push({ bytes, at, encoding });
  }

  /** Walks the embedded pickles found, after the outer walk, each as a pickle of its own. */
  private async walkEmbedded(): Promise<void> {
    const depth = (this.opts.depth ?? 0) + 1;
    if (depth > MAX_NESTING) return;
    for (const c of this.candidates) {
      const where = `${this.opts.where ? `${this.opts.where}: ` : ''}a ${c.encoding} pickle inside byte ${c.at}`;
      const inner = await new PickleMachine(new Reader(memorySource(c.bytes), c.bytes.length), 0, {
        where,
        depth,
      }).run();
      if (inner.opcodes >= 2) this.result.embedded.push(inner);
    }
  }

  /**
   * joblib's NumpyPickler writes an array's raw bytes right after the BUILD of its NumpyArrayWrapper
   * (joblib/numpy_pickle.py, NumpyArrayWrapper.write_array/read_array): an optional alignment padding
   * (one length byte, then that many bytes), then shape×itemsize bytes, or, for object dtypes, a whole
   * nested pickle.
   */
  private async skipJoblibArray(state: Val, at: number): Promise<void> {
    const fields = new Map<string, Val>();
    if (typeof state !== 'string' && state.k === 'dict')
      for (const [k, v] of state.entries) if (typeof k === 'string') fields.set(k, v);
    const shape = fields.get('shape');
    const dtype = fields.get('dtype');
    let count = 1;
    const dims = kindOf(shape, 'seq');
    if (dims) {
      for (const d of dims.items) count *= kindOf(d, 'int')?.v ?? NaN;
      if (dims.items.length !== dims.n) count = NaN;
    } else count = NaN;
    let item: { size: number; object: boolean } | undefined;
    // numpy.dtype('f8', False, True) then BUILD (version, endian, subdescr, names, fields, elsize, align, flags).
    const dtypeCall = kindOf(dtype, 'call');
    const descr = kindOf(dtypeCall?.args, 'seq')?.items[0];
    if (dtypeCall && typeof descr === 'string') {
      const st = kindOf(dtypeCall.state, 'seq');
      const elsize = kindOf(st?.items[5], 'int')?.v;
      const flags = kindOf(st?.items[7], 'int')?.v ?? 0;
      item = dtypeItemSize(descr, elsize);
      if (item && flags & 1) item.object = true;
    }
    if (!item || !Number.isFinite(count)) {
      this.fail(
        'joblib-array-unknown',
        `a joblib array's shape or dtype cannot be read, so its raw bytes cannot be skipped`,
        at,
      );
    }
    const s = this.s;
    this.result.joblibArrays++;
    if (fields.has('numpy_array_alignment_bytes') && !item.object) {
      if (s.avail() < 1) await s.need(1);
      const pad = s.u8();
      s.skip(pad);
    }
    if (item.object) {
      const depth = (this.opts.depth ?? 0) + 1;
      if (depth > MAX_NESTING) this.fail('pickle-limit', `nested pickles deeper than ${MAX_NESTING}`, at);
      const inner = await new PickleMachine(this.reader, s.pos, { ...this.opts, depth, end: s.end }).run();
      this.merge(inner);
      if (!inner.complete)
        this.fail(
          inner.errors[0]?.code ?? 'pickle-truncated',
          'a joblib object array holds a broken pickle',
          inner.end,
        );
      // Continue after the nested pickle: reset the window to its end.
      s.seek(inner.end);
    } else {
      s.skip(count * item.size);
    }
  }

  private merge(inner: PickleResult): void {
    for (const imp of inner.imports) {
      const key = `${imp.module}\n${imp.name}`;
      if (!this.importKeys.has(key)) {
        this.importKeys.add(key);
        this.result.imports.push(imp);
      }
    }
    this.result.calls.push(...inner.calls.slice(0, Math.max(0, MAX_CALLS - this.result.calls.length)));
    this.result.opcodes += inner.opcodes;
    if (!inner.weightsOnly) this.result.weightsOnly = false;
  }
}

export function walkPickle(reader: Reader, start: number, opts: WalkOptions = {}): Promise<PickleResult> {
  return new PickleMachine(reader, start, opts).run();
}
