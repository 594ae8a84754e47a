// ONNX: a protobuf ModelProto. Spec: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
// Sniffed from the top-level fields: ir_version (1), producer_name (2), producer_version (3), domain (4),
// model_version (5), doc_string (6), graph (7), opset_import (8), metadata_props (14), training_info (20),
// functions (25). The graph is skipped by its length, so opsets after a large graph cost one more read.
// Checked in a graph of at most MAX_ONNX_GRAPH bytes: where its initializers' external data lives (TensorProto
// field 13, `location`): onnx.load reads it relative to the model's folder, so an absolute path or one that
// climbs out with `..` reads any file the loader can (CVE-2024-27318's family). Opset domains outside ONNX's
// and onnxruntime's own need a custom-op library (native code) to load. Not checked: node attributes'
// tensors and subgraphs, and a graph larger than the bound (said in the details).
import { Reader, decodeUtf8 } from './bytes';
import type { FormatModule } from './judgement';
import type { Finding } from './types';

const MODEL_FIELDS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]);
/** Top-level fields read before giving up: a ModelProto has a dozen. */
const MAX_ONNX_FIELDS = 64;
/** Opset entries are tiny: read at most this much past the graph. */
const MAX_ONNX_TAIL = 64 * 1024;
/** A graph read whole for its initializers' external data: one whose weights live outside is small. */
const MAX_ONNX_GRAPH = 4 * 1024 * 1024;
/** Opset domains that ONNX and onnxruntime implement themselves (no custom-op library to load). */
const STANDARD_DOMAINS = new Set([
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'com.ms.internal.nhwc',
]);

interface OnnxResult {
  ok: boolean;
  details: Record<string, unknown>;
  findings: Finding[];
}

/** A protobuf message's fields: number, wire type, and the varint or the bytes; stops at the first bad one. */
function* fields(b: Uint8Array): Generator<[number, number, number, Uint8Array | undefined]> {
  let p = 0;
  while (p < b.length) {
    const t = varint(b, p);
    if (!t) return;
    const field = t[0] >>> 3;
    const wire = t[0] & 7;
    p = t[1];
    if (wire === 0) {
      const v = varint(b, p);
      if (!v) return;
      yield [field, wire, v[0], undefined];
      p = v[1];
    } else if (wire === 2) {
      const l = varint(b, p);
      if (!l || l[1] + l[0] > b.length) return;
      yield [field, wire, l[0], b.subarray(l[1], l[1] + l[0])];
      p = l[1] + l[0];
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else return;
  }
}

/** Where a TensorProto's external data lives (its `location` entry), if it has one. */
function externalLocation(tensor: Uint8Array): string | undefined {
  for (const [field, , , bytes] of fields(tensor)) {
    if (field !== 13 || !bytes) continue; // external_data: StringStringEntryProto {key 1, value 2}
    let key: string | undefined;
    let value: string | undefined;
    for (const [f, , , v] of fields(bytes)) {
      if (f === 1 && v) key = decodeUtf8(v);
      if (f === 2 && v) value = decodeUtf8(v);
    }
    if (key === 'location' && value !== undefined) return value;
  }
  return undefined;
}

/** An external-data path that leaves the model's folder: absolute, a drive, or climbing with `..`. */
function leavesFolder(location: string): boolean {
  return /^([\\/]|[A-Za-z]:)/.test(location) || location.split(/[\\/]/).includes('..');
}

/** The graph's initializers (field 5) and sparse initializers (15: values 1, indices 2) with external data. */
function externalData(graph: Uint8Array): string[] {
  const out: string[] = [];
  for (const [field, , , bytes] of fields(graph)) {
    if (!bytes) continue;
    const tensors =
      field === 5
        ? [bytes]
        : field === 15
          ? [...fields(bytes)].flatMap(([f, , , t]) => (t && f <= 2 ? [t] : []))
          : [];
    for (const t of tensors) {
      const at = externalLocation(t);
      if (at !== undefined) out.push(at);
    }
  }
  return out;
}

function varint(b: Uint8Array, at: number): [number, number] | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const x = b[at + i];
    if (x === undefined) return undefined;
    v += (x & 0x7f) * mul;
    mul *= 128;
    if (!(x & 0x80)) return [v, at + i + 1];
  }
  return undefined;
}

/** A quick test on the head: the first field is ir_version as a varint, a plausible version. */
function looksLikeOnnx(head: Uint8Array): boolean {
  if (head[0] !== 0x08) return false;
  const v = varint(head, 1);
  if (!v || v[0] < 1 || v[0] > 64) return false;
  const next = head[v[1]];
  if (next === undefined) return false;
  return MODEL_FIELDS.has(next >>> 3) && ((next & 7) === 0 || (next & 7) === 2);
}

function parseOpset(b: Uint8Array): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  for (const [field, , value, bytes] of fields(b)) {
    if (field === 2 && !bytes) version = value;
    if (field === 1 && bytes) domain = decodeUtf8(bytes) ?? '';
  }
  return { domain: domain || 'ai.onnx', version };
}

async function readOnnx(reader: Reader, head: Uint8Array, size: number): Promise<OnnxResult> {
  const details: Record<string, unknown> = {};
  const findings: Finding[] = [];
  const opsets: string[] = [];
  let buf = head;
  let bufStart = 0;
  let p = 0;
  let sawGraph = false;
  for (let n = 0; n < MAX_ONNX_FIELDS && bufStart + p < size; n++) {
    if (p + 20 > buf.length && bufStart + buf.length < size) {
      bufStart += p;
      buf = await reader.read(bufStart, Math.min(size, bufStart + MAX_ONNX_TAIL));
      p = 0;
    }
    const t = varint(buf, p);
    if (!t) return { ok: false, details, findings };
    const field = t[0] >>> 3;
    const wire = t[0] & 7;
    if (!MODEL_FIELDS.has(field)) return { ok: false, details, findings };
    p = t[1];
    if (wire === 0) {
      const v = varint(buf, p);
      if (!v) return { ok: false, details, findings };
      if (field === 1) details.irVersion = v[0];
      if (field === 5) details.modelVersion = v[0];
      p = v[1];
    } else if (wire === 2) {
      const l = varint(buf, p);
      if (!l) return { ok: false, details, findings };
      const start = l[1];
      const len = l[0];
      if (bufStart + start + len > size) return { ok: false, details, findings };
      if (field === 7) {
        sawGraph = true;
        if (len <= MAX_ONNX_GRAPH) {
          const graph =
            start + len <= buf.length
              ? buf.subarray(start, start + len)
              : await reader.read(bufStart + start, bufStart + start + len);
          const locations = externalData(graph);
          if (locations.length) details.externalData = [...new Set(locations)].slice(0, 20);
          const outside = [...new Set(locations.filter(leavesFolder))];
          if (outside.length)
            findings.push({
              code: 'onnx-external-data-outside',
              severity: 'danger',
              message: `external data read from outside the model's folder: ${outside
                .slice(0, 5)
                .map((l) => JSON.stringify(l))
                .join(', ')}`,
            });
        } else details.graphNotScanned = `the graph is ${len} bytes, over the ${MAX_ONNX_GRAPH}-byte bound`;
      }
      if (field === 2 || field === 3 || field === 4 || field === 8) {
        const bytes =
          start + len <= buf.length
            ? buf.subarray(start, start + len)
            : await reader.read(bufStart + start, bufStart + start + Math.min(len, MAX_ONNX_TAIL));
        if (field === 8) {
          const o = parseOpset(bytes);
          opsets.push(`${o.domain}:${o.version}`);
        } else {
          details[field === 2 ? 'producer' : field === 3 ? 'producerVersion' : 'domain'] =
            decodeUtf8(bytes) ?? '';
        }
      }
      // Jump over the field; a jump past the buffer drops it and reads from there.
      const next = start + len;
      if (next > buf.length) {
        bufStart += next;
        buf =
          bufStart < size
            ? await reader.read(bufStart, Math.min(size, bufStart + MAX_ONNX_TAIL))
            : new Uint8Array(0);
        p = 0;
      } else p = next;
    } else return { ok: false, details, findings };
  }
  details.opsets = opsets;
  const custom = opsets.map((o) => o.slice(0, o.lastIndexOf(':'))).filter((d) => !STANDARD_DOMAINS.has(d));
  if (custom.length)
    findings.push({
      code: 'onnx-custom-domain',
      severity: 'warning',
      message: `operators from ${custom.map((d) => JSON.stringify(d)).join(', ')}: loading needs a custom-op library (native code) for them`,
    });
  return { ok: details.irVersion !== undefined && sawGraph, details, findings };
}

export const ONNX_MODULE: FormatModule = {
  id: 'onnx',
  formats: ['onnx'],
  sniff: (c) => looksLikeOnnx(c.head),
  judge: async (c, j) => {
    const o = await readOnnx(c.reader, c.head, c.known);
    if (!o.ok) return false;
    j.format = 'onnx';
    j.findings.push(...o.findings);
    j.risk = o.findings.some((f) => f.severity === 'danger')
      ? 'dangerous'
      : o.findings.length
        ? 'caution'
        : 'safe';
    Object.assign(j.details, o.details);
    return true;
  },
};
