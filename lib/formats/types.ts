// The engine's vocabulary (DESIGN.md "The study's rules" and "What Picklens adds").

/**
 * Bumped whenever a verdict could change: part of every cached verdict's key, so a new version rescans
 * (0.2.0: cached verdicts no longer carry a name).
 */
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

/**
 * The risks, in the one order everything uses: by how much loading can do, from nothing to running code
 * (safe < caution < unsafe < dangerous), then the two that are not a degree of it (invalid, unknown).
 */
export const RISKS = ['safe', 'caution', 'unsafe', 'dangerous', 'invalid', 'unknown'] as const;
export type Risk = (typeof RISKS)[number];

/** The risks to show first: the worst degree first, then invalid and unknown (chips, summaries). */
export const RISKS_WORST_FIRST: readonly Risk[] = [
  'dangerous',
  'invalid',
  'unsafe',
  'caution',
  'safe',
  'unknown',
];

/** The worse of two degrees (safe < caution < unsafe < dangerous); invalid or unknown yield to the other. */
export function worseRisk(a: Risk, b: Risk): Risk {
  const ia = RISKS.indexOf(a);
  const ib = RISKS.indexOf(b);
  const degree = (i: number) => i >= 0 && i <= 3;
  if (!degree(ia) || !degree(ib)) return degree(ia) ? a : b;
  return ia >= ib ? a : b;
}

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

type Severity = 'info' | 'warning' | 'danger' | 'error';

/**
 * Every finding code the engine gives: kebab-case, stable (tests and consumers match on them). The compiler
 * holds every emission to this list; test/unit/meta.test.ts holds each code to a test that produces it.
 */
export const FINDING_CODES = [
  'empty',
  'html',
  'text',
  'unrecognised',
  'archive-not-read',
  'archive-too-deep',
  'compressed-not-pickle',
  'extension-mismatch',
  'gguf-bad-string',
  'gguf-bad-tensor-info',
  'gguf-bad-value-type',
  'gguf-bad-version',
  'gguf-big-endian',
  'gguf-chat-template',
  'gguf-template-escape',
  'gguf-limit',
  'gguf-truncated',
  'hdf5-not-inspected',
  'hdf5-user-block',
  'joblib-array-unknown',
  'keras-bad-config',
  'keras-config-limit',
  'keras-custom-object',
  'keras-dangerous-module',
  'keras-embedded-pickle',
  'keras-lambda',
  'lfs-pointer',
  'npy-bad-dtype',
  'npy-bad-header',
  'npy-bad-version',
  'npy-data-length-mismatch',
  'npy-header-too-large',
  'npy-object-array',
  'npy-truncated',
  'npz-members-not-read',
  'pickle-bad-argument',
  'pickle-bad-opcode',
  'pickle-build-on-global',
  'pickle-compressed-corrupt',
  'pickle-dangerous-import',
  'pickle-embedded',
  'pickle-frame-lie',
  'pickle-hidden-after-stop',
  'pickle-limit',
  'pickle-line-too-long',
  'pickle-memo-missing',
  'pickle-memo-overflow',
  'pickle-no-mark',
  'pickle-proto-not-first',
  'pickle-read-failed',
  'pickle-stack-underflow',
  'pickle-trailing-bytes',
  'pickle-truncated',
  'polyglot-zip',
  'read-failed',
  'read-too-large',
  'safetensors-bad-entry',
  'safetensors-bad-metadata',
  'safetensors-bad-offsets',
  'safetensors-bad-shape',
  'safetensors-data-length-mismatch',
  'safetensors-header-not-json',
  'safetensors-header-not-object',
  'safetensors-header-not-utf8',
  'safetensors-header-past-end',
  'safetensors-header-too-large',
  'safetensors-misaligned',
  'safetensors-offsets-not-contiguous',
  'safetensors-shared-tensors',
  'safetensors-size-mismatch',
  'safetensors-suspicious-metadata',
  'safetensors-too-many-tensors',
  'safetensors-too-small',
  'safetensors-unknown-dtype',
  'tar-bad-checksum',
  'tar-too-many-members',
  'tar-truncated',
  'torchscript-code',
  'onnx-custom-domain',
  'onnx-external-data-outside',
  'zip-bad-central-directory',
  'zip-bad-local-header',
  'zip-encrypted',
  'zip-hidden-pickle',
  'zip-inflate-failed',
  'zip-member-too-large',
  'zip-multi-disk',
  'zip-name-mismatch',
  'zip-no-central-directory',
  'zip-prepended-data',
  'zip-too-many-entries',
  'zip-unsupported-method',
  // A repo's code (repo-code.ts): over its listing and configs, not one file's bytes.
  'repo-auto-map',
  'repo-auto-map-remote',
  'repo-python-files',
  'repo-config-unread',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** A human sentence with its evidence. */
  message: string;
  /** For `read-failed`: the transport's own reason (`gated`, `rate-limited`, `network`…), when it gave one. */
  cause?: string;
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

/** A tar archive member: where its bytes begin and how many (lib/formats/tar.ts reads the index). */
export interface TarMember {
  name: string;
  offset: number;
  size: number;
  type: string;
}
