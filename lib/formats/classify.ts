// The engine's entry point: reads a file's head through a ByteSource, decides its real format from magic
// bytes (the name is only a hint), hands it to the format's module, and assembles the verdict: the study's
// paper label, the format, the risk, imports, findings and details, and what reading it cost.
import { ascii, indexOf, memorySource, Reader, ReadError, startsWith } from './bytes';
import { DecompressedSource, detectCompression } from './compressed';
import { readGguf } from './gguf';
import { hdf5SignatureOffset, scanHdf5Head } from './hdf5';
import { readNpy } from './numpy';
import { looksLikeOnnx, readOnnx } from './onnx';
import { paperLabel, SubstringScanner, type PaperEvidence } from './paper-rules';
import { PICKLE_BEARING, withName } from './names';
import { addPickles, newJudgement, type Judgement } from './judgement';
import { looksLikePickle, walkPickle, type PickleResult } from './pickle';
import { looksLikeSafetensors, readSafetensors } from './safetensors';
import { scanSevenZip } from './sevenzip';
import { isTar, readTarIndex } from './tar';
import { isTorchTar, TORCH_LEGACY_MAGIC, torchLegacy, torchTar } from './torch';
import { MAX_LISTED_ENTRIES, NUMPY_MAGIC, ZIP_MAGIC, zipFile } from './zip-family';
import {
  worseRisk,
  type ByteSource,
  type ClassifyOptions,
  type Format,
  type PickleImport,
  type Verdict,
} from './types';

/** The first read: large enough for most safetensors headers, pickles and zip local headers. */
export const HEAD_BYTES = 64 * 1024;
/** Pickles stacked one after another in one file (torch legacy writes five). */
export const MAX_STACKED_PICKLES = 16;

const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];
const GGUF_MAGIC = ascii('GGUF');
const SEVEN_Z_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const LFS_POINTER = ascii('version https://git-lfs.github.com/spec/');
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46];

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
    judge: concludes((c, j) => zipFile(c.reader, c.known, j, c.ev, classify)),
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
    at = await torchLegacy(reader, results, at, acc, feed);
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
  if (isTorchTar(names)) return torchTar(reader, idx.members, acc, ev);
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
