// A file that is a pickle (plain, joblib, dill, torch's legacy format): the walks from byte 0, the pickles
// stacked after STOP, and a zip hiding at the end (a polyglot). The walk itself is lib/formats/pickle.ts.
import { indexOf, type Reader } from './bytes';
import { endsWithZip } from './zip';
import { addPickles, type FormatModule, type Judgement } from './judgement';
import type { PaperEvidence } from './paper-rules';
import { walkPickle, type PickleResult } from './pickle';
import { TORCH_LEGACY_MAGIC, torchLegacy } from './torch';
import type { Format, PickleImport } from './types';

/** Pickles stacked one after another in one file (torch legacy writes five). */
const MAX_STACKED_PICKLES = 16;

/** The pickle's family, from what it imports (dill's and joblib's own modules). */
export function pickleFormat(imports: PickleImport[]): Format {
  if (imports.some((i) => /^dill(\.|$)/.test(i.module))) return 'dill';
  if (imports.some((i) => /^(sklearn\.externals\.)?joblib(\.|$)/.test(i.module))) return 'joblib';
  return 'pickle';
}

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

export const PICKLE_MODULE: FormatModule = {
  // Protocol 2+ opens with PROTO; 0 and 1 with a MARK, a GLOBAL, a container or a constant.
  id: 'pickle',
  formats: ['pickle', 'joblib', 'dill', 'torch-legacy'],
  sniff: (c) => c.head[0] === 0x80 || looksLikePickleStart(c.head),
  judge: (c, j) => pickleFile(c.reader, c.head, c.known, j, c.ev),
};
