// The engine's entry point: reads a file's head through a ByteSource, decides its real format from magic
// bytes (the name is only a hint), hands it to the format's module, and assembles the verdict: the study's
// paper label, the format, the risk, imports, findings and details, and what reading it cost.
import { ascii, indexOf, memorySource, Reader, ReadError, startsWith } from './bytes';
import { DecompressedSource, detectCompression } from './compressed';
import { readGguf } from './gguf';
import { hdf5SignatureOffset, scanHdf5Head } from './hdf5';
import { readKerasConfig } from './keras';
import { readNpy, readNpyHeader } from './numpy';
import { looksLikeOnnx, readOnnx } from './onnx';
import { paperLabel, SubstringScanner, type PaperEvidence } from './paper-rules';
import { PICKLE_BEARING, withName } from './names';
import { kindOf, looksLikePickle, walkPickle, type PickleResult } from './pickle';
import { looksLikeSafetensors, readSafetensors } from './safetensors';
import { scanSevenZip } from './sevenzip';
import { isTar, readTarIndex } from './tar';
import {
  worseRisk,
  type ByteSource,
  type ClassifyOptions,
  type Finding,
  type Format,
  type PickleImport,
  type Risk,
  type Verdict,
} from './types';
import { locateData, readMember, readZipIndex, scanLocalHeaders, type ZipEntry, type ZipIndex } from './zip';

/** The first read: large enough for most safetensors headers, pickles and zip local headers. */
export const HEAD_BYTES = 64 * 1024;
/** Archives inside archives opened, at most. */
export const MAX_ARCHIVE_DEPTH = 3;
/** Pickles stacked one after another in one file (torch legacy writes five). */
export const MAX_STACKED_PICKLES = 16;
/** Zip members probed for R4's NumPy test, and npz members read. */
export const MAX_ZIP_PROBES = 256;
/** readMember's "the whole member" (bounded there by MAX_INFLATED_MEMBER). */
const WHOLE_MEMBER = Number.POSITIVE_INFINITY;
/** Bytes of a deflated npy member inflated for its header at first (numpy writes headers of 64–4096). */
const NPY_HEAD_GUESS = 4096;
/** Entry names listed in the details. */
const MAX_LISTED_ENTRIES = 200;

const NUMPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];
const GGUF_MAGIC = ascii('GGUF');
const SEVEN_Z_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const LFS_POINTER = ascii('version https://git-lfs.github.com/spec/');
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46];
/** torch's legacy magic number 0x1950a86a20f9469cfc6c, as pickle LONG1 bytes (torch/serialization.py). */
const TORCH_LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * What a format module concludes from the bytes: one shape for every format (format, risk, findings,
 * imports, details), folded into the verdict by classify.
 */
export interface Judgement {
  /** How deep inside archives this file is (0 for the file itself). */
  depth: number;
  format: Format;
  risk: Risk;
  weightsOnly?: boolean;
  imports: PickleImport[];
  findings: Finding[];
  details: Record<string, unknown>;
}

function newJudgement(depth: number): Judgement {
  return { depth, format: 'unknown', risk: 'unknown', imports: [], findings: [], details: {} };
}

/** Folds pickle walks into the verdict: imports, dangerous-import findings, errors, weights_only. */
function addPickles(acc: Judgement, results: PickleResult[], label = 'the pickle'): void {
  const seen = new Set(acc.imports.map((i) => `${i.where ?? ''}\n${i.module}\n${i.name}`));
  let ranCode = false;
  let misleads = false;
  const fold = (r: PickleResult, embedded: boolean) => {
    for (const imp of r.imports) {
      const key = `${imp.where ?? ''}\n${imp.module}\n${imp.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      acc.imports.push(imp);
      if (imp.safety === 'dangerous') {
        acc.findings.push({
          code: 'pickle-dangerous-import',
          severity: 'danger',
          message: `imports ${imp.module}.${imp.name} at byte ${imp.offset ?? '?'}${imp.where ? ` of ${imp.where}` : ''}: ${imp.reason ?? 'deny-listed'}`,
        });
      }
    }
    for (const f of r.findings) {
      acc.findings.push(f);
      if (f.severity === 'danger') misleads = true;
    }
    if (!embedded) {
      for (const e of r.errors) acc.findings.push({ ...e, message: `${label}: ${e.message}` });
      if (r.calls.length || r.imports.length) ranCode = true;
      acc.weightsOnly = (acc.weightsOnly ?? true) && r.weightsOnly;
    }
    for (const inner of r.embedded) {
      // A pickle carried as data inside another, ready for a second loads(): nothing in a model file needs
      // one, and when it imports or calls anything it is a payload smuggled past the outer scan.
      const active = inner.imports.length > 0 || inner.calls.length > 0;
      if (active) misleads = true;
      acc.findings.push({
        code: 'pickle-embedded',
        severity: active ? 'danger' : 'warning',
        message: `${inner.imports[0]?.where ?? 'a pickle inside the pickle'}${active ? ` imports ${inner.imports.map((i) => `${i.module}.${i.name}`).join(', ') || 'nothing'} and makes ${inner.calls.length} call(s)` : ' holds only data'}`,
      });
      fold(inner, true);
    }
  };
  for (const r of results) fold(r, false);
  const dangerous = misleads || acc.imports.some((i) => i.safety === 'dangerous');
  // A walk stopped by our own limit or by the transport says nothing about the file being broken.
  const ourStop = (r: PickleResult) =>
    r.errors.some((e) => e.code === 'pickle-limit' || e.code === 'pickle-read-failed');
  const broken = results.some((r) => !r.complete && !ourStop(r));
  let risk: Risk = dangerous ? 'dangerous' : 'unsafe';
  // A pickle that breaks before calling anything runs nothing: it cannot be loaded, so it is invalid.
  if (broken && !ranCode && !dangerous) risk = 'invalid';
  acc.risk = acc.risk === 'unknown' || acc.risk === 'invalid' ? risk : worseRisk(acc.risk, risk);
}

function pickleFormat(imports: PickleImport[]): Format {
  if (imports.some((i) => /^dill(\.|$)/.test(i.module))) return 'dill';
  if (imports.some((i) => /^(sklearn\.externals\.)?joblib(\.|$)/.test(i.module))) return 'joblib';
  return 'pickle';
}

/**
 * Did the transport fail while this verdict was made (a read that failed outright, a pickle walk cut off,
 * an HTTP error)? Such a verdict says nothing final about the content: it must not be cached by content key.
 */
export function fromFailedRead(v: Verdict): boolean {
  return v.findings.some((f) => f.code === 'read-failed' || f.code === 'pickle-read-failed');
}

/** Classifies one file, its name included. Never throws for anything the file or the transport can cause. */
export async function classify(source: ByteSource, opts: ClassifyOptions = {}): Promise<Verdict> {
  return withName(await classifyContent(source, opts), opts.name);
}

/**
 * What the bytes alone say: the verdict cached by content key. The same bytes under another name (a pickle
 * under `.safetensors` in one repo, `.pt` in another) get their name's findings from `withName`.
 */
export async function classifyContent(source: ByteSource, opts: ClassifyOptions = {}): Promise<Verdict> {
  const reader = new Reader(source, source.size);
  const acc = newJudgement(opts.depth ?? 0);
  const substrings = new SubstringScanner();
  const evidence: PaperEvidence = { head: new Uint8Array(0), safetensorsJson: false, substrings };
  try {
    const head = await reader.read(0, HEAD_BYTES);
    substrings.feed(head, 0);
    evidence.head = head;
    const size = source.size ?? (head.length < HEAD_BYTES ? head.length : undefined);
    await dispatch(reader, head, size, acc, evidence);
  } catch (e) {
    if (!(e instanceof ReadError)) throw e;
    // Nothing is concluded from a failed read: whatever was seen, the verdict is unknown, and says why
    // (its `cause`, `gated`, `rate-limited`…, when the transport said).
    acc.risk = 'unknown';
    acc.findings.push({
      code: e.code,
      severity: 'error',
      message: `the file could not be read: ${e.message}`,
      ...(e.causeCode ? { cause: e.causeCode } : {}),
    });
  }
  const verdict: Verdict = {
    paper: paperLabel(evidence),
    format: acc.format,
    risk: acc.risk,
    imports: acc.imports,
    findings: acc.findings,
    details: acc.details,
    bytesRead: reader.bytesRead,
    requests: reader.requests,
  };
  if (PICKLE_BEARING.has(acc.format) || acc.weightsOnly !== undefined)
    verdict.weightsOnly = acc.weightsOnly ?? false;
  if (source.size !== undefined) verdict.size = source.size;
  return verdict;
}

interface SniffContext {
  head: Uint8Array;
  size: number | undefined;
}

interface JudgeContext extends SniffContext {
  reader: Reader;
  /** The size, or "as large as it gets" when unknown (reads past the end come back short). */
  known: number;
  ev: PaperEvidence;
}

/**
 * A format, as classify sees it: `sniff` looks at the head alone (no read); `judge` reads what it needs and
 * fills the Judgement, answering whether it concluded (false: not this format after all, the next module
 * is tried, and what it noted stays). `formats` are the formats it can conclude (a meta-test holds them to
 * FORMATS and to the fixtures). A judgement cut short by a failed read keeps what it had found.
 */
export interface FormatModule {
  id: string;
  formats: readonly Format[];
  sniff(c: SniffContext): boolean;
  judge(c: JudgeContext, j: Judgement): Promise<boolean>;
}

/** For the modules that always conclude once sniffed. */
const concludes =
  (fill: (c: JudgeContext, j: Judgement) => unknown) =>
  async (c: JudgeContext, j: Judgement): Promise<boolean> => {
    await fill(c, j);
    return true;
  };

/** In order: the first module whose sniff says yes and whose judge concludes decides the format. */
export const FORMAT_MODULES: readonly FormatModule[] = [
  {
    // R3 is evaluated for every file whose first 8 bytes could be a header length that fits; a file whose
    // head is also numpy's or HDF5's magic goes on to those (the paper label keeps what R3 said).
    id: 'safetensors',
    formats: ['safetensors'],
    sniff: (c) => c.size !== undefined && looksLikeSafetensors(c.head, c.size),
    judge: async (c, j) => {
      const st = await readSafetensors(c.reader, c.known);
      c.ev.safetensorsJson = st.paperJson;
      if (startsWith(c.head, NUMPY_MAGIC) || startsWith(c.head, HDF5_MAGIC)) return false;
      j.format = 'safetensors';
      j.risk = st.error ? 'invalid' : 'safe';
      j.findings.push(...st.findings);
      Object.assign(j.details, st.details);
      return true;
    },
  },
  {
    id: 'numpy',
    formats: ['numpy'],
    sniff: (c) => startsWith(c.head, NUMPY_MAGIC),
    judge: concludes((c, j) => numpyFile(c.reader, c.known, j)),
  },
  {
    id: 'hdf5',
    formats: ['hdf5'],
    sniff: (c) => hdf5SignatureOffset(c.head) >= 0,
    judge: concludes((c, j) => hdf5File(c.head, hdf5SignatureOffset(c.head), j)),
  },
  {
    // Every zip-family format: torch zips, TorchScript, Keras v3, npz, and plain archives.
    id: 'zip',
    formats: ['zip', 'torch-zip', 'torchscript', 'keras', 'npz'],
    sniff: (c) => startsWith(c.head, ZIP_MAGIC) || startsWith(c.head, EMPTY_ZIP_MAGIC),
    judge: concludes((c, j) => zipFile(c.reader, c.known, j, c.ev)),
  },
  {
    id: 'gguf',
    formats: ['gguf'],
    sniff: (c) => startsWith(c.head, GGUF_MAGIC),
    judge: concludes(async (c, j) => {
      const g = await readGguf(c.reader, c.known);
      j.format = 'gguf';
      j.risk = g.error ? 'invalid' : g.chatTemplate ? 'caution' : 'safe';
      j.findings.push(...g.findings);
      Object.assign(j.details, g.details);
    }),
  },
  {
    id: '7z',
    formats: ['7z'],
    sniff: (c) => startsWith(c.head, SEVEN_Z_MAGIC),
    judge: concludes((c, j) => sevenZipFile(c.reader, c.known, j)),
  },
  {
    id: 'lfs-pointer',
    formats: ['lfs-pointer'],
    sniff: (c) => startsWith(c.head, LFS_POINTER),
    judge: concludes((c, j) => lfsPointer(c.head, j)),
  },
  {
    id: 'tar',
    formats: ['tar', 'torch-tar'],
    sniff: (c) => isTar(c.head),
    judge: concludes((c, j) => tarFile(c.reader, c.known, j, c.ev)),
  },
  {
    // Protocol 2+ opens with PROTO; 0 and 1 with a MARK, a GLOBAL, a container or a constant.
    id: 'pickle',
    formats: ['pickle', 'joblib', 'dill', 'torch-legacy'],
    sniff: (c) => c.head[0] === 0x80 || looksLikePickleStart(c.head),
    judge: (c, j) => pickleFile(c.reader, c.head, c.known, j, c.ev),
  },
  {
    id: 'compressed',
    formats: ['joblib'],
    sniff: (c) => detectCompression(c.head) !== undefined,
    judge: concludes((c, j) => compressedFile(c.reader, detectCompression(c.head) ?? 'zlib', c.known, j)),
  },
  {
    id: 'onnx',
    formats: ['onnx'],
    sniff: (c) => looksLikeOnnx(c.head),
    judge: async (c, j) => {
      const o = await readOnnx(c.reader, c.head, c.known);
      if (!o.ok) return false;
      j.format = 'onnx';
      j.risk = 'safe';
      Object.assign(j.details, o.details);
      return true;
    },
  },
];

/** read → sniff → judge: the first module that concludes decides; nothing matched is unknown. */
async function dispatch(
  reader: Reader,
  head: Uint8Array,
  size: number | undefined,
  acc: Judgement,
  ev: PaperEvidence,
): Promise<void> {
  if (head.length === 0) {
    acc.findings.push({ code: 'empty', severity: 'info', message: 'the file is empty' });
    return;
  }
  const c: JudgeContext = { reader, head, size, known: size ?? Number.MAX_SAFE_INTEGER, ev };
  for (const m of FORMAT_MODULES) if (m.sniff(c) && (await m.judge(c, acc))) return;
  describeUnknown(head, acc);
}

// ---------------------------------------------------------------- pickle family

const DOTTED_NAME = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;

/** Protocol 0/1 pickles have no PROTO: they open with a MARK, a GLOBAL, a container or a constant. */
function looksLikePickleStart(head: Uint8Array): boolean {
  const c = String.fromCharCode(head[0] ?? 0);
  return '(c]}N)IFLSVXUTJKMG'.includes(c) && head.length > 1;
}

async function pickleFile(
  reader: Reader,
  head: Uint8Array,
  size: number,
  acc: Judgement,
  ev: PaperEvidence,
): Promise<boolean> {
  const feed = (b: Uint8Array, at: number) => ev.substrings.feed(b, at);
  const legacy = indexOf(head.subarray(0, 16), new Uint8Array(TORCH_LEGACY_MAGIC)) >= 0;
  const results: PickleResult[] = [];
  const first = await walkPickle(reader, 0, { onBytes: feed });
  // Without PROTO, a walk that completes is a pickle; so is one that breaks after importing a well-formed
  // name, since Python imports a GLOBAL before the break stops it (text that starts with "c" does not).
  const importedName = first.imports.some((i) => DOTTED_NAME.test(i.module) && DOTTED_NAME.test(i.name));
  if (head[0] !== 0x80 && !(first.complete && first.opcodes >= 2) && !importedName) return false;
  results.push(first);
  let at = first.end;
  if (legacy) {
    // torch/serialization.py _legacy_save: magic, protocol version, sys_info, the data, storage keys;
    // raw storage bytes follow and are not read.
    for (let i = 1; i < 5 && results[results.length - 1]?.complete; i++) {
      const r = await walkPickle(reader, at, { onBytes: feed });
      results.push(r);
      at = r.end;
    }
    acc.format = 'torch-legacy';
    const keys = results[4]?.top;
    acc.details.pickles = results.length;
    acc.details.storages = kindOf(keys, 'seq')?.n;
    acc.details.persistentIds = results.reduce((n, r) => n + r.persistentIds, 0);
    acc.details.protocol = results[3]?.protocol ?? results[0]?.protocol;
  } else {
    // Bytes after STOP: a second pickle there is loaded by code that calls pickle.load again.
    for (let i = 1; i < MAX_STACKED_PICKLES && results[results.length - 1]?.complete && at < size; i++) {
      const next = await reader.read(at, at + 2);
      if (next.length === 0) break;
      if (!((next[0] === 0x80 && (next[1] ?? 9) <= 5) || looksLikePickleStart(next))) {
        acc.findings.push({
          code: 'pickle-trailing-bytes',
          severity: 'warning',
          message: `${size - at} bytes follow the pickle's STOP at byte ${at}`,
        });
        break;
      }
      const r = await walkPickle(reader, at, { onBytes: feed });
      if (!r.complete && r.opcodes < 2) break;
      results.push(r);
      // Its finding travels with it, so addPickles makes the verdict dangerous like any other danger.
      if (r.imports.length) {
        r.findings.push({
          code: 'pickle-hidden-after-stop',
          severity: 'danger',
          message: `a second pickle with ${r.imports.length} import(s) hides after the first STOP, at byte ${at}`,
        });
      }
      at = r.end;
    }
    if (results.length > 1) acc.details.pickles = results.length;
    acc.format = pickleFormat(results.flatMap((r) => r.imports));
    acc.details.protocol = first.protocol ?? (head[0] === 0x80 ? undefined : 0);
    acc.details.joblibArrays = results.reduce((n, r) => n + r.joblibArrays, 0) || undefined;
  }
  acc.details.opcodes = results.reduce((n, r) => n + r.opcodes, 0);
  if (head[0] !== 0x80 && first.protocol !== undefined) {
    acc.findings.push({
      code: 'pickle-proto-not-first',
      severity: 'warning',
      message: 'PROTO is not the first opcode',
    });
  }
  addPickles(acc, results);
  if (at < size && (await endsWithZip(reader, size))) {
    // torch.load and pickle read the pickle at byte 0; zip tools (and scanners that trust them) read the
    // archive the end record describes. One file, two programs: built to mislead.
    acc.findings.push({
      code: 'polyglot-zip',
      severity: 'danger',
      message:
        'the file is a pickle from its first byte and a zip archive from its last: each reader sees a different file',
    });
    acc.risk = 'dangerous';
  }
  return true;
}

/** Bytes of the tail searched for a zip end record (its comment may be up to 64 KiB; longer ones evade). */
export const POLYGLOT_TAIL = 1024;

async function endsWithZip(reader: Reader, size: number): Promise<boolean> {
  const tail = await reader.read(Math.max(0, size - POLYGLOT_TAIL), size);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) return true;
  }
  return false;
}

async function compressedFile(
  reader: Reader,
  kind: 'zlib' | 'gzip',
  size: number,
  acc: Judgement,
): Promise<void> {
  const inner = new Reader(new DecompressedSource(reader, kind, 0, size), undefined);
  const r = await walkPickle(inner, 0);
  if (!r.complete && r.opcodes < 2) {
    acc.format = 'unknown';
    acc.risk = 'unknown';
    acc.findings.push({
      code: 'compressed-not-pickle',
      severity: 'info',
      message: `${kind}-compressed data that is not a pickle`,
    });
    return;
  }
  acc.format = 'joblib';
  acc.details.compression = kind;
  acc.details.joblibArrays = r.joblibArrays || undefined;
  addPickles(acc, [r], `the ${kind}-compressed pickle`);
}

// ---------------------------------------------------------------- numpy, hdf5, lfs, tar, unknown

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

function hdf5File(head: Uint8Array, offset: number, acc: Judgement): void {
  acc.format = 'hdf5';
  acc.risk = 'caution';
  acc.details.signatureOffset = offset;
  if (offset > 0)
    acc.findings.push({
      code: 'hdf5-user-block',
      severity: 'info',
      message: `a ${offset}-byte user block precedes the HDF5 signature`,
    });
  const scan = scanHdf5Head(head);
  acc.details.kerasConfig = scan.kerasConfig;
  if (scan.lambda) {
    acc.risk = 'dangerous';
    acc.findings.push({
      code: 'keras-lambda',
      severity: 'danger',
      message: 'the Keras model config has a Lambda layer, whose Python bytecode runs when the model loads',
    });
  } else {
    acc.findings.push({
      code: 'hdf5-not-inspected',
      severity: 'info',
      message: scan.kerasConfig
        ? 'a Keras model; no Lambda layer in the bytes read, the rest of the file was not inspected'
        : 'HDF5: the object tree was not inspected',
    });
  }
}

function lfsPointer(head: Uint8Array, acc: Judgement): void {
  acc.format = 'lfs-pointer';
  acc.risk = 'unknown';
  const text = new TextDecoder().decode(head.subarray(0, 1024));
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  if (oid) acc.details.oid = oid;
  if (size) acc.details.pointedSize = Number(size);
  acc.findings.push({
    code: 'lfs-pointer',
    severity: 'info',
    message: 'a Git LFS pointer, not the file itself',
  });
}

async function tarFile(reader: Reader, size: number, acc: Judgement, ev: PaperEvidence): Promise<void> {
  const idx = await readTarIndex(reader, size);
  acc.findings.push(...idx.findings);
  const names = idx.members.map((m) => m.name);
  acc.details.entries = names.slice(0, MAX_LISTED_ENTRIES);
  acc.details.entryCount = names.length;
  // The pre-1.0 torch.save wrote a tar with sys_info, pickle, storages and tensors (torch/serialization.py
  // _load's legacy tar path): each member opens with a pickle.
  const torchMembers = ['sys_info', 'pickle', 'storages', 'tensors'];
  if (['sys_info', 'pickle'].every((n) => names.includes(n))) {
    acc.format = 'torch-tar';
    const results: PickleResult[] = [];
    for (const m of idx.members.filter((x) => torchMembers.includes(x.name))) {
      results.push(
        await walkPickle(reader, m.offset, {
          end: m.offset + m.size,
          where: m.name,
          onBytes: (b, at) => ev.substrings.feed(b, at),
        }),
      );
    }
    addPickles(acc, results);
    return;
  }
  acc.format = 'tar';
  acc.risk = 'caution';
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: `a tar archive of ${names.length} member(s): their contents were not read`,
  });
}

function describeUnknown(head: Uint8Array, acc: Judgement): void {
  acc.format = 'unknown';
  acc.risk = 'unknown';
  const sample = head.subarray(0, 512);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample);
  const printable = [...sample].filter(
    (b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128,
  ).length;
  const isText = sample.length > 0 && printable / sample.length > 0.95;
  if (/^\s*<(!doctype html|html)/i.test(text))
    acc.findings.push({ code: 'html', severity: 'info', message: 'an HTML page, not a model file' });
  else if (isText) acc.findings.push({ code: 'text', severity: 'info', message: 'text, not a model file' });
  else
    acc.findings.push({
      code: 'unrecognised',
      severity: 'info',
      message: 'binary data of no known model format',
    });
}

// ---------------------------------------------------------------- 7z

async function sevenZipFile(reader: Reader, size: number, acc: Judgement): Promise<void> {
  acc.format = '7z';
  acc.risk = 'caution';
  const scan = await scanSevenZip(reader, size);
  const pickles = scan.stored.filter(looksLikePickle);
  if (pickles.length) {
    const results: PickleResult[] = [];
    for (const [i, bytes] of pickles.entries()) {
      results.push(
        await walkPickle(new Reader(memorySource(bytes), bytes.length), 0, {
          where: `7z stored stream ${i + 1}`,
        }),
      );
    }
    addPickles(acc, results);
    acc.risk = worseRisk('caution', acc.risk);
  }
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: scan.compressed
      ? `a 7z archive with LZMA-compressed content, which was not decoded${pickles.length ? '; its stored pickles were read' : ''}`
      : `a 7z archive: ${pickles.length ? 'its stored pickles were read' : 'no member could be read without decompression'}`,
  });
}

// ---------------------------------------------------------------- zip family

async function zipFile(reader: Reader, size: number, acc: Judgement, ev: PaperEvidence): Promise<void> {
  let idx: ZipIndex | undefined = await readZipIndex(reader, size);
  idx ??= await scanLocalHeaders(reader, size, size);
  acc.findings.push(...idx.findings);
  const entries = idx.entries;
  const names = entries.map((e) => e.name);
  ev.zipEntries = names;
  acc.details.entryCount = entries.length;
  acc.details.entries = names.slice(0, MAX_LISTED_ENTRIES);

  const isTorch = names.some((n) => /(^|\/)data\.pkl$/.test(n));
  const isTorchScript = names.some(
    (n) => /(^|\/)constants\.pkl$/.test(n) || /(^|\/)code\/__torch__\//.test(n),
  );
  const isKeras =
    names.includes('config.json') &&
    names.some((n) => n === 'metadata.json' || n.endsWith('.weights.h5') || n === 'variables.h5');
  const isNpz = entries.length > 0 && names.every((n) => n.endsWith('.npy'));

  // R4's NumPy test. torch's data/N members are raw storage bytes it wrote itself; probing each would cost
  // a request per tensor, so they are skipped (a documented deviation from the rule as written).
  const probes = entries
    .filter((e) => !(isTorch && /(^|\/)data\/\d+$/.test(e.name)))
    .slice(0, MAX_ZIP_PROBES);
  // The same first bytes say what a member really is, whatever its name.
  const heads = new Map<ZipEntry, Uint8Array>();
  for (const e of probes) {
    if (e.size < 4) continue;
    const m = await readMember(reader, e, 16);
    if (!m.ok) continue;
    heads.set(e, m.bytes);
    if (startsWith(m.bytes, NUMPY_MAGIC)) ev.zipHasNumpyEntry = true;
  }

  if (isKeras) return kerasZip(reader, entries, acc);
  if (isTorch || isTorchScript) return torchZip(reader, entries, isTorchScript, acc, ev);
  if (isNpz) return npzFile(reader, entries, acc);
  acc.format = 'zip';
  acc.risk = 'caution';
  const head = (e: ZipEntry) => heads.get(e) ?? new Uint8Array(0);
  const pkls = entries.filter((e) => /\.(pkl|pickle)$/.test(e.name) || looksLikePickle(head(e)));
  for (const e of pkls) {
    if (!/\.(pkl|pickle)$/.test(e.name)) {
      acc.findings.push({
        code: 'zip-hidden-pickle',
        severity: 'danger',
        message: `${e.name} is a pickle under another name`,
      });
    }
  }
  if (pkls.length) {
    await walkMembers(reader, pkls, acc, ev);
    acc.risk = worseRisk('caution', acc.risk);
  }
  if (pkls.some((e) => !/\.(pkl|pickle)$/.test(e.name))) acc.risk = 'dangerous';
  const zips = entries.filter((e) => startsWith(head(e), ZIP_MAGIC));
  for (const e of zips) await nestedArchive(reader, e, acc);
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: `a zip archive of ${entries.length} member(s)${pkls.length || zips.length ? '; its pickles and archives were read, the rest were not' : ': their contents were not read'}`,
  });
}

/** A zip inside a zip: classified in turn (to MAX_ARCHIVE_DEPTH), its imports and findings carried up. */
async function nestedArchive(reader: Reader, e: ZipEntry, acc: Judgement): Promise<void> {
  if (acc.depth >= MAX_ARCHIVE_DEPTH) {
    acc.findings.push({
      code: 'archive-too-deep',
      severity: 'warning',
      message: `${e.name}: archives nested deeper than ${MAX_ARCHIVE_DEPTH} were not opened`,
    });
    return;
  }
  const m = await readMember(reader, e, WHOLE_MEMBER);
  if (!m.ok) {
    acc.findings.push({ code: m.code, severity: 'error', message: m.message });
    return;
  }
  const inner = await classify(memorySource(m.bytes), { name: e.name, depth: acc.depth + 1 });
  for (const imp of inner.imports) acc.imports.push({ ...imp, where: `${e.name}/${imp.where ?? ''}` });
  for (const f of inner.findings) acc.findings.push({ ...f, message: `${e.name}: ${f.message}` });
  acc.risk = worseRisk(
    acc.risk,
    inner.risk === 'invalid' || inner.risk === 'unknown' ? 'caution' : inner.risk,
  );
}

async function walkMembers(
  reader: Reader,
  members: ZipEntry[],
  acc: Judgement,
  ev: PaperEvidence,
): Promise<void> {
  const results: PickleResult[] = [];
  for (const e of members) {
    const data = await locateData(reader, e);
    if (data === undefined) {
      acc.findings.push({
        code: 'zip-bad-local-header',
        severity: 'error',
        message: `${e.name} has no valid local header`,
      });
      continue;
    }
    if (e.localName !== undefined) {
      acc.findings.push({
        code: 'zip-name-mismatch',
        severity: 'warning',
        message: `the local header names ${JSON.stringify(e.localName)} where the central directory names ${JSON.stringify(e.name)}; readers use the central directory`,
      });
    }
    if (e.method === 0) {
      results.push(
        await walkPickle(reader, data, {
          end: data + e.compressedSize,
          where: e.name,
          onBytes: (b, at) => ev.substrings.feed(b, at),
        }),
      );
      continue;
    }
    const m = await readMember(reader, e, WHOLE_MEMBER);
    if (!m.ok) {
      acc.findings.push({ code: m.code, severity: 'error', message: m.message });
      continue;
    }
    const inner = new Reader(memorySource(m.bytes), m.bytes.length);
    results.push(await walkPickle(inner, 0, { where: e.name }));
  }
  acc.details.pickleMembers = members.map((m) => m.name);
  addPickles(acc, results);
}

async function torchZip(
  reader: Reader,
  entries: ZipEntry[],
  script: boolean,
  acc: Judgement,
  ev: PaperEvidence,
): Promise<void> {
  acc.format = script ? 'torchscript' : 'torch-zip';
  const pkls = entries.filter((e) => e.name.endsWith('.pkl'));
  await walkMembers(reader, pkls, acc, ev);
  acc.details.records = entries.length;
  for (const rec of ['byteorder', 'version']) {
    const e = entries.find(
      (x) => x.name === rec || x.name.endsWith(`/${rec}`) || x.name.endsWith(`/.data/${rec}`),
    );
    if (e && e.size <= 64) {
      const m = await readMember(reader, e, 64);
      if (m.ok) acc.details[rec] = new TextDecoder().decode(m.bytes).trim();
    }
  }
  if (script) {
    acc.findings.push({
      code: 'torchscript-code',
      severity: 'warning',
      message:
        'TorchScript: its code/ folder runs in the TorchScript interpreter when loaded with torch.jit.load',
    });
    // torch.jit.load unpickles with TorchScript's own type resolver, which imports no Python module: the
    // archive's risk is its code, not a Python pickle VM, unless a pickle names something dangerous anyway.
    if (acc.risk !== 'dangerous') acc.risk = 'caution';
  }
}

async function npzFile(reader: Reader, entries: ZipEntry[], acc: Judgement): Promise<void> {
  acc.format = 'npz';
  acc.risk = 'safe';
  const arrays: Record<string, unknown>[] = [];
  const results: PickleResult[] = [];
  for (const e of entries.slice(0, MAX_ZIP_PROBES)) {
    const data = await locateData(reader, e);
    if (data === undefined) {
      acc.risk = 'invalid';
      acc.findings.push({
        code: 'zip-bad-local-header',
        severity: 'error',
        message: `${e.name} has no valid local header`,
      });
      continue;
    }
    // readNpyHeader reads the preamble, then the header: a deflated member is inflated once, far enough for
    // both in the usual case (NPY_HEAD_GUESS), and again only for a longer header.
    let inflated: Uint8Array | undefined;
    const readAt = async (s: number, end: number): Promise<Uint8Array> => {
      if (e.method === 0) return reader.read(data + s, data + Math.min(end, e.compressedSize));
      if (!inflated || (inflated.length < end && inflated.length < e.size)) {
        const m = await readMember(reader, e, Math.max(end, NPY_HEAD_GUESS));
        inflated = m.ok ? m.bytes : new Uint8Array(0);
      }
      return inflated.subarray(s, end);
    };
    const r = await readNpyHeader(readAt, e.size);
    if (!r.ok) {
      acc.risk = 'invalid';
      acc.findings.push({ code: r.code, severity: 'error', message: `${e.name}: ${r.message}` });
      continue;
    }
    arrays.push({ name: e.name, dtype: r.header.descr, shape: r.header.shape });
    if (r.header.object) {
      acc.findings.push({
        code: 'npy-object-array',
        severity: 'warning',
        message: `${e.name} is an object array: loading it with allow_pickle=True runs its pickle`,
      });
      if (e.method === 0) {
        results.push(
          await walkPickle(reader, data + r.header.dataOffset, {
            end: data + e.compressedSize,
            where: e.name,
          }),
        );
      } else {
        const m = await readMember(reader, e, WHOLE_MEMBER);
        if (m.ok)
          results.push(
            await walkPickle(new Reader(memorySource(m.bytes), m.bytes.length), r.header.dataOffset, {
              where: e.name,
            }),
          );
        else acc.findings.push({ code: m.code, severity: 'error', message: m.message });
      }
    }
  }
  acc.details.arrays = arrays;
  if (entries.length > MAX_ZIP_PROBES)
    acc.findings.push({
      code: 'npz-members-not-read',
      severity: 'warning',
      message: `only the first ${MAX_ZIP_PROBES} of ${entries.length} arrays were read`,
    });
  if (results.length) {
    const before = acc.risk;
    addPickles(acc, results, 'an object array pickle');
    if (before === 'invalid') acc.risk = worseRisk(acc.risk, 'unsafe');
    acc.weightsOnly = undefined;
  }
}

async function kerasZip(reader: Reader, entries: ZipEntry[], acc: Judgement): Promise<void> {
  acc.format = 'keras';
  const config = entries.find((e) => e.name === 'config.json');
  if (!config) return;
  const m = await readMember(reader, config, WHOLE_MEMBER);
  if (!m.ok) {
    acc.risk = 'invalid';
    acc.findings.push({ code: m.code, severity: 'error', message: m.message });
    return;
  }
  const k = readKerasConfig(m.bytes);
  acc.findings.push(...k.findings);
  Object.assign(acc.details, k.details);
  acc.risk = k.risk;
}
