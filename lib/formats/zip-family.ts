// Every format that is a zip: torch zips and TorchScript (torch.ts), Keras v3, npz, and plain archives whose
// pickles and nested archives are read (APPNOTE: the zip's end record is found from the file's end). The
// members' first bytes decide what they are, whatever their names.
import { memorySource, Reader, startsWith } from './bytes';
import { addPickles, concludes, MAX_LISTED_ENTRIES, type FormatModule, type Judgement } from './judgement';
import { readKerasConfig } from './keras';
import { NUMPY_MAGIC, readNpyHeader } from './numpy';
import type { PaperEvidence } from './paper-rules';
import { looksLikePickle, walkPickle, type PickleResult } from './pickle';
import { torchZip } from './torch';
import { worseRisk, type ByteSource, type ClassifyOptions, type Verdict } from './types';
import {
  endsWithZip,
  locateData,
  readMember,
  readZipIndex,
  scanLocalHeaders,
  type ZipEntry,
  type ZipIndex,
} from './zip';
import { WHOLE_MEMBER, walkMembers } from './zip-pickles';

/** Zip members probed (their first bytes, R4's NumPy test) and npz arrays read. */
export const MAX_ZIP_PROBES = 256;
/** Archives inside archives opened, at most this deep. */
const MAX_ARCHIVE_DEPTH = 3;
/** First read of an npz member: enough for the npy preamble and a usual header. */
const NPY_HEAD_GUESS = 4096;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Classifies a member that is itself an archive (classify, handed in: this module cannot import it). */
type ClassifyMember = (src: ByteSource, opts: ClassifyOptions) => Promise<Verdict>;

async function zipFile(
  reader: Reader,
  size: number,
  acc: Judgement,
  ev: PaperEvidence,
  classifyMember: ClassifyMember,
): Promise<void> {
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

  const head = (e: ZipEntry) => heads.get(e) ?? new Uint8Array(0);
  // numpy's NpzFile reads any member whose bytes open with the NumPy magic as an array, whatever its name
  // (numpy/lib/npyio.py, NpzFile.__getitem__): an object array under `weights.bin` runs its pickle too.
  const isNpy = (e: ZipEntry) => e.name.endsWith('.npy') || startsWith(head(e), NUMPY_MAGIC);
  const isNpz = entries.length > 0 && entries.every(isNpy);

  if (isKeras) return kerasZip(reader, entries, acc);
  if (isTorch || isTorchScript) return torchZip(reader, entries, isTorchScript, acc, ev);
  if (isNpz) return npzFile(reader, entries, acc);
  acc.format = 'zip';
  acc.risk = 'caution';
  // Arrays among other members: np.load opens the archive all the same, and reads these as arrays.
  const arrays = entries.filter((e) => startsWith(head(e), NUMPY_MAGIC));
  if (arrays.length) {
    await npyMembers(reader, arrays, acc);
    acc.risk = worseRisk('caution', acc.risk);
  }
  const pkls = entries.filter((e) => /\.(pkl|pickle)$/.test(e.name) || looksLikePickle(head(e)));
  const hidden = pkls.filter(namedAsAnotherType);
  for (const e of hidden)
    acc.findings.push({
      code: 'zip-hidden-pickle',
      severity: 'danger',
      message: `${e.name} is a pickle under another name`,
    });
  if (pkls.length) {
    await walkMembers(reader, pkls, acc, ev);
    acc.risk = worseRisk('caution', acc.risk);
  }
  if (hidden.length) acc.risk = 'dangerous';
  const zips = entries.filter((e) => startsWith(head(e), ZIP_MAGIC));
  for (const e of zips) await nestedArchive(reader, e, acc, classifyMember);
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: `a zip archive of ${entries.length} member(s)${arrays.length ? '; its arrays, pickles and archives were read, the rest were not' : pkls.length || zips.length ? '; its pickles and archives were read, the rest were not' : ': their contents were not read'}`,
  });
}

/**
 * A pickle member whose name claims another type (`notes.txt`, `weights.safetensors`): a name that lies. A
 * name without an extension claims nothing — pandas' zip pickles have one member named after the archive
 * (`frame.zip` holds `frame`; pandas/io/common.py) — and its pickle is walked like any other.
 */
function namedAsAnotherType(e: ZipEntry): boolean {
  const base = e.name.slice(e.name.lastIndexOf('/') + 1);
  return /\.[A-Za-z0-9_]{1,12}$/.test(base) && !/\.(pkl|pickle)$/.test(base);
}

/** A zip inside a zip: classified in turn (to MAX_ARCHIVE_DEPTH), its imports and findings carried up. */
async function nestedArchive(
  reader: Reader,
  e: ZipEntry,
  acc: Judgement,
  classify: ClassifyMember,
): Promise<void> {
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

async function npzFile(reader: Reader, entries: ZipEntry[], acc: Judgement): Promise<void> {
  acc.format = 'npz';
  acc.risk = 'safe';
  await npyMembers(reader, entries, acc);
}

/** Members that are .npy arrays: their headers in the details; object arrays' pickles walked and judged. */
async function npyMembers(reader: Reader, entries: ZipEntry[], acc: Judgement): Promise<void> {
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
  // A pickle in a config string runs only if custom code unpickles it, and is never needed by Keras: one
  // that imports or calls anything is a payload (dangerous); one of plain data still asks for a look.
  for (const p of k.pickles) {
    const r = await walkPickle(new Reader(memorySource(p.bytes), p.bytes.length), 0, { where: p.where });
    const active = r.imports.length > 0 || r.calls.length > 0;
    acc.imports.push(...r.imports);
    acc.findings.push({
      code: 'keras-embedded-pickle',
      severity: active ? 'danger' : 'warning',
      message: `${p.where}${active ? ` imports ${r.imports.map((i) => `${i.module}.${i.name}`).join(', ') || 'nothing'} and makes ${r.calls.length} call(s): custom code that unpickles it runs them` : ' holds only data'}`,
    });
    acc.risk = worseRisk(acc.risk, active ? 'dangerous' : 'caution');
  }
}

const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];

export const ZIP_MODULE: FormatModule = {
  // Every zip-family format: torch zips, TorchScript, Keras v3, npz, and plain archives.
  id: 'zip',
  formats: ['zip', 'torch-zip', 'torchscript', 'keras', 'npz'],
  sniff: (c) => startsWith(c.head, ZIP_MAGIC) || startsWith(c.head, EMPTY_ZIP_MAGIC),
  judge: concludes((c, j) => zipFile(c.reader, c.known, j, c.ev, c.classify)),
};

/**
 * A zip that does not start at byte 0 (bytes prepended, or a zip appended to another file): Python's zipfile
 * finds the end record from the file's end and opens it (Keras's load_model, pandas' zip pickles do), while
 * readers that test byte 0 (torch.load, numpy.load) and scanners that trust them see no zip. Tried last, for
 * files no other module recognised: one read of the tail, then the archive as any other; the prefix is a
 * finding (zip-prepended-data).
 */
export const ZIP_AT_END_MODULE: FormatModule = {
  id: 'zip-at-end',
  formats: ZIP_MODULE.formats,
  sniff: (c) => c.size !== undefined && c.size >= 22,
  judge: async (c, j) => {
    if (!(await endsWithZip(c.reader, c.known))) return false;
    await zipFile(c.reader, c.known, j, c.ev, c.classify);
    return true;
  },
};
