// ONNX: a protobuf ModelProto. Spec: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
// Sniffed from the top-level fields: ir_version (1), producer_name (2), producer_version (3), domain (4),
// model_version (5), doc_string (6), graph (7), opset_import (8), metadata_props (14), training_info (20),
// functions (25). The graph is skipped by its length, so opsets after a large graph cost one more read.
// Not checked: the graph's nodes, custom domains' libraries, external-data paths.
import { Reader, decodeUtf8 } from './bytes';
import type { FormatModule } from './judgement';

const MODEL_FIELDS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]);
/** Top-level fields read before giving up: a ModelProto has a dozen. */
const MAX_ONNX_FIELDS = 64;
/** Opset entries are tiny: read at most this much past the graph. */
const MAX_ONNX_TAIL = 64 * 1024;

interface OnnxResult {
  ok: boolean;
  details: Record<string, unknown>;
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
  let p = 0;
  let domain = '';
  let version = 0;
  while (p < b.length) {
    const t = varint(b, p);
    if (!t) break;
    const field = t[0] >>> 3;
    const wire = t[0] & 7;
    p = t[1];
    if (wire === 0) {
      const v = varint(b, p);
      if (!v) break;
      if (field === 2) version = v[0];
      p = v[1];
    } else if (wire === 2) {
      const l = varint(b, p);
      if (!l) break;
      if (field === 1) domain = decodeUtf8(b.subarray(l[1], l[1] + l[0])) ?? '';
      p = l[1] + l[0];
    } else break;
  }
  return { domain: domain || 'ai.onnx', version };
}

async function readOnnx(reader: Reader, head: Uint8Array, size: number): Promise<OnnxResult> {
  const details: Record<string, unknown> = {};
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
    if (!t) return { ok: false, details };
    const field = t[0] >>> 3;
    const wire = t[0] & 7;
    if (!MODEL_FIELDS.has(field)) return { ok: false, details };
    p = t[1];
    if (wire === 0) {
      const v = varint(buf, p);
      if (!v) return { ok: false, details };
      if (field === 1) details.irVersion = v[0];
      if (field === 5) details.modelVersion = v[0];
      p = v[1];
    } else if (wire === 2) {
      const l = varint(buf, p);
      if (!l) return { ok: false, details };
      const start = l[1];
      const len = l[0];
      if (bufStart + start + len > size) return { ok: false, details };
      if (field === 7) sawGraph = true;
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
    } else return { ok: false, details };
  }
  details.opsets = opsets;
  return { ok: details.irVersion !== undefined && sawGraph, details };
}

export const ONNX_MODULE: FormatModule = {
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
};
