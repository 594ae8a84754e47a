// The engine's vocabulary (DESIGN.md "The study's rules" and "What Picklens adds").

/** Bumped whenever a verdict could change: cached verdicts are keyed by content and this version. */
/** Part of every cached verdict's key: a new version rescans (0.2.0: cached verdicts no longer carry a name). */
export const ENGINE_VERSION = '0.2.0';

/** Where the engine reads bytes from: a local file, an HTTP resource, or memory. `end` is exclusive. */
export interface ByteSource {
  size?: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** The study's label, by rules R1–R5 exactly as written. */
export const PAPER_LABELS = [
  'numpy',
  'hdf5',
  'safetensors',
  'torch.jit',
  'torch.save',
  'dill',
  'joblib',
  'pytorch',
  'pickle',
  'unknown',
] as const;
export type PaperLabel = (typeof PAPER_LABELS)[number];

export const FORMATS = [
  'safetensors',
  'gguf',
  'onnx',
  'numpy',
  'npz',
  'hdf5',
  'keras',
  'torch-zip',
  'torch-legacy',
  'torch-tar',
  'torchscript',
  'pickle',
  'joblib',
  'dill',
  'zip',
  'tar',
  '7z',
  'lfs-pointer',
  'unknown',
] as const;
export type Format = (typeof FORMATS)[number];

/** Ordered from least to most severe; `worseRisk` relies on this order for the loading risks. */
export const RISKS = ['safe', 'caution', 'unsafe', 'dangerous', 'invalid', 'unknown'] as const;
export type Risk = (typeof RISKS)[number];

export type Safety = 'innocuous' | 'suspicious' | 'dangerous';

export interface PickleImport {
  module: string;
  name: string;
  safety: Safety;
  /** Why it is not innocuous. */
  reason?: string;
  /** Byte offset of the opcode that imported it, in the file (or in the member, see `where`). */
  offset?: number;
  /** The archive member or embedded stream it was found in, when not the file itself. */
  where?: string;
}

export type Severity = 'info' | 'warning' | 'danger' | 'error';

export interface Finding {
  /** kebab-case, stable: tests and consumers match on it. */
  code: string;
  severity: Severity;
  /** A human sentence with its evidence. */
  message: string;
}

export interface Verdict {
  paper: PaperLabel;
  format: Format;
  risk: Risk;
  /** Only for pickle-bearing formats: would `torch.load(weights_only=True)` accept every global? */
  weightsOnly?: boolean;
  imports: PickleImport[];
  findings: Finding[];
  /** Format details: tensor counts, dtypes, entries, shape... */
  details: Record<string, unknown>;
  bytesRead: number;
  requests: number;
  size?: number;
}

export interface ClassifyOptions {
  /** The file's name or path: only a hint, and a mismatch with the bytes is a finding. */
  name?: string;
  /** Internal: how deep inside archives this file sits, so nesting stays bounded. */
  depth?: number;
}
