// The engine's entry point: reads a file's head through a ByteSource, decides its real format from magic
// bytes (the name is only a hint), hands it to the format's module, and assembles the verdict: the study's
// paper label, the format, the risk, imports, findings and details, and what reading it cost.
import { Reader, ReadError } from './bytes';
import { COMPRESSED_MODULE } from './compressed';
import { GGUF_MODULE } from './gguf';
import { HDF5_MODULE } from './hdf5';
import { newJudgement, type FormatModule, type JudgeContext, type Judgement } from './judgement';
import { LFS_POINTER_MODULE } from './lfs';
import { PICKLE_BEARING, withName } from './names';
import { NUMPY_MODULE } from './numpy';
import { ONNX_MODULE } from './onnx';
import { paperLabel, SubstringScanner, type PaperEvidence } from './paper-rules';
import { PICKLE_MODULE } from './pickle-file';
import { SAFETENSORS_MODULE } from './safetensors';
import { SEVEN_Z_MODULE } from './sevenzip';
import { TAR_MODULE } from './tar';
import type { ByteSource, ClassifyOptions, Verdict } from './types';
import { ZIP_AT_END_MODULE, ZIP_MODULE } from './zip-family';

/** The first read: large enough for most safetensors headers, pickles and zip local headers. */
const HEAD_BYTES = 64 * 1024;

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

/**
 * In order: the first module whose sniff says yes and whose judge concludes decides the format. Each
 * format's module is in its own file (lib/formats/judgement.ts has the shape); adding a format is that
 * file and a line here.
 */
export const FORMAT_MODULES: readonly FormatModule[] = [
  SAFETENSORS_MODULE,
  NUMPY_MODULE,
  HDF5_MODULE,
  ZIP_MODULE,
  GGUF_MODULE,
  SEVEN_Z_MODULE,
  LFS_POINTER_MODULE,
  TAR_MODULE,
  PICKLE_MODULE,
  COMPRESSED_MODULE,
  ONNX_MODULE,
  ZIP_AT_END_MODULE,
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
  const c: JudgeContext = { reader, head, size, known: size ?? Number.MAX_SAFE_INTEGER, ev, classify };
  for (const m of FORMAT_MODULES) if (m.sniff(c) && (await m.judge(c, acc))) return;
  describeUnknown(head, acc);
}

// ---------------------------------------------------------------- pickle family

// ---------------------------------------------------------------- numpy, hdf5, lfs, tar, unknown

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
