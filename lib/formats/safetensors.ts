// safetensors: an 8-byte little-endian header length n, n bytes of UTF-8 JSON, then the tensor data.
// Spec: https://github.com/huggingface/safetensors (README "Format"; safetensors/src/tensor.rs
// `read_metadata` and `Metadata::validate`). Checked, in the crate's order: header length against the limit
// and the file size, UTF-8, JSON object, `__metadata__` string-to-string, each tensor's dtype, shape and
// offsets, offsets contiguous from 0 (no gap, no overlap), shape × dtype size = byte span, and the data
// covering exactly the rest of the file. Not checked: the tensor values themselves (never read).
import { Reader, decodeUtf8, startsWith, u64 } from './bytes';
import { HDF5_MAGIC } from './hdf5';
import type { FormatModule } from './judgement';
import { NUMPY_MAGIC } from './numpy';
import type { Finding } from './types';

/** Text that reads like Python code: imports, calls of the usual gadgets, shell commands. */
const SUSPICIOUS_TEXT =
  /(^|[;\n])\s*(import|from)\s+[\w.]+|\b(__import__|exec\s*\(|eval\s*\(|os\.system|subprocess|popen|pickle\.loads|marshal\.loads|__builtins__|getattr\s*\()/i;

/** The safetensors crate's MAX_HEADER_SIZE. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;
const MAX_SAFETENSORS_TENSORS = 1_000_000;

/** Bits per element, from the crate's `Dtype`. */
const SAFETENSORS_DTYPE_BITS: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
};

type SafetensorsError =
  | 'safetensors-too-small'
  | 'safetensors-header-too-large'
  | 'safetensors-header-past-end'
  | 'safetensors-header-not-utf8'
  | 'safetensors-header-not-json'
  | 'safetensors-header-not-object'
  | 'safetensors-bad-metadata'
  | 'safetensors-bad-entry'
  | 'safetensors-unknown-dtype'
  | 'safetensors-bad-shape'
  | 'safetensors-bad-offsets'
  | 'safetensors-offsets-not-contiguous'
  | 'safetensors-size-mismatch'
  | 'safetensors-misaligned'
  | 'safetensors-data-length-mismatch'
  | 'safetensors-too-many-tensors';

/** A tensor as the header declares it; offsets are absolute in the file (the header's plus 8 + n). */
export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  begin: number;
  end: number;
}

interface SafetensorsResult {
  /** R3 of the paper: n fits the file and the n bytes are well-formed JSON (any JSON value). */
  paperJson: boolean;
  error?: { code: SafetensorsError; message: string };
  findings: Finding[];
  details: Record<string, unknown>;
  /** The validated tensors, in file order, and the metadata: for a caller that reads their bytes. */
  tensors?: SafetensorsTensor[];
  metadata?: Record<string, string>;
}

/** Bytes per element of a safetensors dtype, or undefined for the sub-byte ones (F4, F6). */
export function dtypeBytes(dtype: string): number | undefined {
  const bits = SAFETENSORS_DTYPE_BITS[dtype];
  return bits !== undefined && bits % 8 === 0 ? bits / 8 : undefined;
}

/** Could this head be safetensors? (n fits and the JSON opens with `{`.) */
function looksLikeSafetensors(head: Uint8Array, size: number | undefined): boolean {
  if (head.length < 9) return false;
  const n = u64(head, 0);
  if (!Number.isFinite(n) || n < 2 || (size !== undefined && 8 + n > size)) return false;
  // The crate accepts only an object; JSON may start with whitespace before `{`.
  for (let i = 8; i < Math.min(head.length, 8 + n); i++) {
    const c = head[i];
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}

/** Reads and parses the JSON header for rule R3 and for validation. */
export async function readSafetensors(
  reader: Reader,
  size: number,
  maxHeader = MAX_SAFETENSORS_HEADER,
): Promise<SafetensorsResult> {
  const fail = (code: SafetensorsError, message: string, paperJson = false): SafetensorsResult => ({
    paperJson,
    error: { code, message },
    findings: [{ code, severity: 'error', message }],
    details: {},
  });
  if (size < 8)
    return fail('safetensors-too-small', `the file is ${size} bytes, shorter than the 8-byte header length`);
  const n = u64(await reader.read(0, 8), 0);
  if (n > maxHeader)
    return fail(
      'safetensors-header-too-large',
      `the header claims ${n} bytes, over the ${maxHeader}-byte limit`,
    );
  if (8 + n > size)
    return fail(
      'safetensors-header-past-end',
      `the header claims ${n} bytes but the file has only ${size - 8} after the length`,
    );
  const text = decodeUtf8(await reader.read(8, 8 + n));
  if (text === undefined) return fail('safetensors-header-not-utf8', 'the header is not valid UTF-8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(
      'safetensors-header-not-json',
      `the header is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail('safetensors-header-not-object', 'the header is JSON but not an object', true);
  }
  return validate(json as Record<string, unknown>, n, size);
}

function validate(header: Record<string, unknown>, n: number, size: number): SafetensorsResult {
  const fail = (code: SafetensorsError, message: string): SafetensorsResult => ({
    paperJson: true,
    error: { code, message },
    findings: [{ code, severity: 'error', message }],
    details: {},
  });
  const findings: Finding[] = [];
  let metadata: Record<string, string> | undefined;
  const tensors: SafetensorsTensor[] = [];
  const names = Object.keys(header);
  if (names.length > MAX_SAFETENSORS_TENSORS + 1)
    return fail(
      'safetensors-too-many-tensors',
      `${names.length} entries, over the ${MAX_SAFETENSORS_TENSORS} limit`,
    );
  for (const name of names) {
    const v = header[name];
    if (name === '__metadata__') {
      if (
        typeof v !== 'object' ||
        v === null ||
        Array.isArray(v) ||
        !Object.values(v).every((x) => typeof x === 'string')
      ) {
        return fail('safetensors-bad-metadata', '__metadata__ is not a map of strings to strings');
      }
      metadata = v as Record<string, string>;
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return fail('safetensors-bad-entry', `tensor ${JSON.stringify(name)} is not an object`);
    const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_BITS)) {
      return fail(
        'safetensors-unknown-dtype',
        `tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(dtype)}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      return fail(
        'safetensors-bad-shape',
        `tensor ${JSON.stringify(name)} has a shape that is not a list of non-negative integers`,
      );
    }
    let numel = 1;
    for (const d of shape as number[]) numel *= d;
    if (!Number.isSafeInteger(numel))
      return fail(
        'safetensors-bad-shape',
        `tensor ${JSON.stringify(name)} has more elements than can be counted`,
      );
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) ||
      (offsets[0] as number) > (offsets[1] as number)
    ) {
      return fail(
        'safetensors-bad-offsets',
        `tensor ${JSON.stringify(name)} has data_offsets that are not [begin, end] with begin ≤ end`,
      );
    }
    tensors.push({
      name,
      dtype,
      shape: shape as number[],
      numel,
      begin: offsets[0] as number,
      end: offsets[1] as number,
    });
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of tensors) {
    if (t.begin !== expected) {
      return fail(
        'safetensors-offsets-not-contiguous',
        `tensor ${JSON.stringify(t.name)} starts at ${t.begin} where ${expected} was expected (a gap or an overlap)`,
      );
    }
    const bits = (SAFETENSORS_DTYPE_BITS[t.dtype] ?? 8) * t.numel;
    if (bits % 8 !== 0)
      return fail(
        'safetensors-misaligned',
        `tensor ${JSON.stringify(t.name)} does not end on a byte boundary`,
      );
    if (t.end - t.begin !== bits / 8) {
      return fail(
        'safetensors-size-mismatch',
        `tensor ${JSON.stringify(t.name)} spans ${t.end - t.begin} bytes but its shape and dtype need ${bits / 8}`,
      );
    }
    expected = t.end;
  }
  if (8 + n + expected !== size) {
    return fail(
      'safetensors-data-length-mismatch',
      `the tensors cover ${expected} bytes but the file has ${size - 8 - n} after the header`,
    );
  }
  const byDtype: Record<string, number> = {};
  let parameters = 0;
  for (const t of tensors) {
    byDtype[t.dtype] = (byDtype[t.dtype] ?? 0) + t.numel;
    parameters += t.numel;
  }
  const details: Record<string, unknown> = {
    headerBytes: n,
    tensors: tensors.length,
    parameters,
    parametersByDtype: byDtype,
  };
  if (metadata) {
    details.metadata = metadata;
    // Loading safetensors never runs metadata, but tools that eval or exec config strings would: say so.
    const code = Object.entries(metadata).filter(([, v]) => SUSPICIOUS_TEXT.test(v));
    if (code.length) {
      findings.push({
        code: 'safetensors-suspicious-metadata',
        severity: 'warning',
        message: `__metadata__ ${code
          .map(([k]) => JSON.stringify(k))
          .slice(0, 5)
          .join(', ')} reads like code (the format cannot run it; a tool that evals it would)`,
      });
    }
    // SFconvertbot records removed shared tensors as {removed: kept} next to "format": "pt" (HUB.md).
    const removed = Object.entries(metadata).filter(([k, v]) => k !== 'format' && v in header);
    if (removed.length)
      findings.push({
        code: 'safetensors-shared-tensors',
        severity: 'info',
        message: `${removed.length} shared tensor name(s) were dropped in conversion and point to kept tensors (__metadata__)`,
      });
  }
  const start = 8 + n;
  const absolute = tensors.map((t) => ({ ...t, begin: t.begin + start, end: t.end + start }));
  return { paperJson: true, findings, details, tensors: absolute, metadata };
}

export const SAFETENSORS_MODULE: FormatModule = {
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
};
