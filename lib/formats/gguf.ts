// GGUF v1–v3: magic "GGUF", version, tensor and metadata counts, metadata key/values, tensor infos.
// Spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (v1 used u32 counts and string lengths).
// Checked: magic, version, every KV's type and length, tensor info dims. Not checked: tensor data (never
// read), alignment padding. A chat template (Jinja) is code for some runtimes: one that was inspected and
// only formats messages stays `safe` (a finding says it is there); one too large to inspect is `caution`, and
// one that reaches Python objects (templateEscapes) is `dangerous`.
import { ascii, Cursor, Reader, startsWith, Truncated, decodeUtf8, u32, u64 } from './bytes';
import { concludes, type FormatModule } from './judgement';
import type { Finding } from './types';

const MAX_GGUF_KV = 1_000_000;
export const MAX_GGUF_TENSORS = 1_000_000;
/** Arrays of strings (tokenizer vocabularies) are walked item by item; bound their length. */
const MAX_GGUF_ARRAY = 50_000_000;
/** Strings longer than this are skipped unread (a chat template is a few KiB). */
export const MAX_GGUF_KEPT_STRING = 1024 * 1024;
/** The whole metadata and tensor-info section: past this the verdict says the header is too large. */
const MAX_GGUF_HEADER = 512 * 1024 * 1024;
/** GGML_MAX_DIMS. */
const MAX_GGUF_DIMS = 4;

const FIXED_SIZE: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

type GgufError =
  | 'gguf-truncated'
  | 'gguf-bad-version'
  | 'gguf-bad-value-type'
  | 'gguf-bad-string'
  | 'gguf-limit'
  | 'gguf-bad-tensor-info';

interface GgufResult {
  error?: { code: GgufError; message: string };
  findings: Finding[];
  details: Record<string, unknown>;
  chatTemplate: boolean;
  /** The chat template was too large to inspect. */
  templateUnread?: boolean;
  /** The chat template reaches Python objects (templateEscapes). */
  templateEscape?: boolean;
}

class GgufBroken extends Error {
  constructor(
    readonly code: GgufError,
    message: string,
  ) {
    super(message);
  }
}

async function readGguf(reader: Reader, size: number): Promise<GgufResult> {
  const details: Record<string, unknown> = {};
  const result: GgufResult = { findings: [], details, chatTemplate: false };
  const escapes = new Set<string>();
  let unreadTemplate = false;
  const c = new Cursor(reader, 0, Math.min(size, MAX_GGUF_HEADER));
  try {
    await c.need(8);
    const head = c.take(8);
    let version = u32(head, 4);
    if (version > 0xffff && version >>> 24 <= 3) {
      result.findings.push({
        code: 'gguf-big-endian',
        severity: 'warning',
        message: 'a big-endian GGUF: only its header was read',
      });
      version = version >>> 24;
      details.version = version;
      details.bigEndian = true;
      return result;
    }
    if (version < 1 || version > 3)
      throw new GgufBroken('gguf-bad-version', `version ${version} is not 1, 2 or 3`);
    details.version = version;
    const wide = version >= 2;
    const count = async (): Promise<number> => {
      await c.need(wide ? 8 : 4);
      return wide ? u64(c.take(8), 0) : u32(c.take(4), 0);
    };
    const tensorCount = await count();
    const kvCount = await count();
    if (tensorCount > MAX_GGUF_TENSORS)
      throw new GgufBroken('gguf-limit', `${tensorCount} tensors, over the ${MAX_GGUF_TENSORS} limit`);
    if (kvCount > MAX_GGUF_KV)
      throw new GgufBroken('gguf-limit', `${kvCount} metadata entries, over the ${MAX_GGUF_KV} limit`);
    details.tensors = tensorCount;
    details.metadataEntries = kvCount;

    const readString = async (keep: boolean): Promise<string | undefined> => {
      const n = await count();
      if (!Number.isFinite(n)) throw new GgufBroken('gguf-bad-string', 'a string length over 2^53');
      if (!keep || n > MAX_GGUF_KEPT_STRING) {
        c.skip(n);
        return undefined;
      }
      await c.need(n);
      const s = decodeUtf8(c.take(n));
      if (s === undefined) throw new GgufBroken('gguf-bad-string', 'a string is not valid UTF-8');
      return s;
    };
    const readValue = async (type: number, keep: boolean): Promise<unknown> => {
      const fixed = FIXED_SIZE[type];
      if (fixed !== undefined) {
        await c.need(fixed);
        const b = c.take(fixed);
        if (type === 4) return u32(b, 0);
        if (type === 10) return u64(b, 0);
        if (type === 7) return b[0] !== 0;
        return undefined;
      }
      if (type === 8) return readString(keep);
      if (type === 9) {
        await c.need(4);
        const itemType = u32(c.take(4), 0);
        const n = await count();
        if (n > MAX_GGUF_ARRAY)
          throw new GgufBroken('gguf-limit', `an array of ${n} items, over the ${MAX_GGUF_ARRAY} limit`);
        const itemSize = FIXED_SIZE[itemType];
        if (itemSize !== undefined) c.skip(n * itemSize);
        else if (itemType === 8) for (let i = 0; i < n; i++) await readString(false);
        else throw new GgufBroken('gguf-bad-value-type', `array item type ${itemType} is not allowed`);
        return { arrayOf: n };
      }
      throw new GgufBroken('gguf-bad-value-type', `value type ${type} is unknown`);
    };
    for (let i = 0; i < kvCount; i++) {
      const key = (await readString(true)) ?? '';
      await c.need(4);
      const type = u32(c.take(4), 0);
      const keep =
        key === 'general.architecture' || key === 'general.name' || key.startsWith('tokenizer.chat_template');
      const value = await readValue(type, keep);
      if (key === 'general.architecture' && typeof value === 'string') details.architecture = value;
      if (key === 'general.name' && typeof value === 'string') details.name = value;
      if (key.startsWith('tokenizer.chat_template')) {
        result.chatTemplate = true;
        if (typeof value === 'string') {
          details.chatTemplateBytes = value.length;
          for (const e of templateEscapes(value)) escapes.add(e);
        } else unreadTemplate = true;
      }
    }
    let parameters = 0;
    for (let i = 0; i < tensorCount; i++) {
      await readString(false);
      await c.need(4);
      const dims = u32(c.take(4), 0);
      if (dims > MAX_GGUF_DIMS)
        throw new GgufBroken(
          'gguf-bad-tensor-info',
          `tensor ${i} has ${dims} dimensions, over GGML's ${MAX_GGUF_DIMS}`,
        );
      let numel = 1;
      for (let d = 0; d < dims; d++) {
        await c.need(8);
        numel *= u64(c.take(8), 0);
      }
      await c.need(12);
      c.take(12); // type u32, offset u64
      parameters += numel;
    }
    details.parameters = parameters;
    details.headerBytes = c.pos;
  } catch (e) {
    if (e instanceof GgufBroken) result.error = { code: e.code, message: e.message };
    else if (e instanceof Truncated) {
      result.error =
        c.end < size
          ? { code: 'gguf-limit', message: `the metadata runs past the ${MAX_GGUF_HEADER}-byte header limit` }
          : { code: 'gguf-truncated', message: `the header ends early, at byte ${c.pos}` };
    } else throw e;
    result.findings.push({ code: result.error.code, severity: 'error', message: result.error.message });
  }
  if (result.chatTemplate) {
    result.templateUnread = unreadTemplate;
    result.findings.push({
      code: 'gguf-chat-template',
      severity: unreadTemplate ? 'warning' : 'info',
      message: unreadTemplate
        ? `carries a Jinja chat template over ${MAX_GGUF_KEPT_STRING} bytes, not inspected; some runtimes render templates as code`
        : 'carries a Jinja chat template (inspected: it formats messages and reaches no Python object)',
    });
  }
  if (escapes.size) {
    result.templateEscape = true;
    result.findings.push({
      code: 'gguf-template-escape',
      severity: 'danger',
      message: `the chat template reaches Python objects (${[...escapes].slice(0, 5).join(', ')}): rendered outside Jinja's sandbox, as llama-cpp-python before 0.2.72 did (CVE-2024-34359), it runs code`,
    });
  }
  return result;
}

/**
 * What in a chat template reaches past Jinja's data into Python: a dunder attribute (`__class__`,
 * `__subclasses__`, `__globals__`, `__builtins__`…), an underscore spelled as an escape to hide one, the `attr`
 * filter that fetches attributes by name, or process and import calls. Chat templates format messages:
 * none of the real ones (ChatML, Llama, Mistral, Gemma…) uses any of these.
 */
export function templateEscapes(template: string): string[] {
  const found = new Set<string>();
  for (const m of template.matchAll(/__\w+__/g)) found.add(m[0]);
  for (const m of template.matchAll(/\\x5f|\\u005f|\\137/gi)) found.add(`an escaped underscore (${m[0]})`);
  if (/\|\s*attr\s*\(/.test(template)) found.add('the attr filter');
  for (const m of template.matchAll(/\b(popen|subprocess|__import__|eval|exec|getattr)\s*\(/g))
    found.add(`${m[1]}(`);
  return [...found];
}

const GGUF_MAGIC = ascii('GGUF');

export const GGUF_MODULE: FormatModule = {
  id: 'gguf',
  formats: ['gguf'],
  sniff: (c) => startsWith(c.head, GGUF_MAGIC),
  judge: concludes(async (c, j) => {
    const g = await readGguf(c.reader, c.known);
    j.format = 'gguf';
    j.risk = g.error ? 'invalid' : g.templateEscape ? 'dangerous' : g.templateUnread ? 'caution' : 'safe';
    j.findings.push(...g.findings);
    Object.assign(j.details, g.details);
  }),
};
