// Zip members that are pickles, walked where they lie: stored ones in place (nothing copied), deflated ones
// once inflated; their walks folded into the judgement. Used by every zip family (torch zips, plain zips).
import { memorySource, Reader } from './bytes';
import { addPickles, type Judgement } from './judgement';
import type { PaperEvidence } from './paper-rules';
import { walkPickle, type PickleResult } from './pickle';
import { locateData, readMember, type ZipEntry } from './zip';

/** "As much as the member holds": readMember's limit for a whole member (within MAX_INFLATED_MEMBER). */
export const WHOLE_MEMBER = Number.POSITIVE_INFINITY;

export async function walkMembers(
  reader: Reader,
  members: ZipEntry[],
  acc: Judgement,
  ev: PaperEvidence,
): Promise<void> {
  const results: PickleResult[] = [];
  for (const e of members) {
    const data = await locateData(reader, e);
    if (data === undefined) {
      acc.findings.push({
        code: 'zip-bad-local-header',
        severity: 'error',
        message: `${e.name} has no valid local header`,
      });
      continue;
    }
    if (e.localName !== undefined) {
      acc.findings.push({
        code: 'zip-name-mismatch',
        severity: 'warning',
        message: `the local header names ${JSON.stringify(e.localName)} where the central directory names ${JSON.stringify(e.name)}; readers use the central directory`,
      });
    }
    if (e.method === 0) {
      results.push(
        await walkPickle(reader, data, {
          end: data + e.compressedSize,
          where: e.name,
          onBytes: (b, at) => ev.substrings.feed(b, at),
        }),
      );
      continue;
    }
    const m = await readMember(reader, e, WHOLE_MEMBER);
    if (!m.ok) {
      acc.findings.push({ code: m.code, severity: 'error', message: m.message });
      continue;
    }
    const inner = new Reader(memorySource(m.bytes), m.bytes.length);
    results.push(await walkPickle(inner, 0, { where: e.name }));
  }
  acc.details.pickleMembers = members.map((m) => m.name);
  addPickles(acc, results);
}
