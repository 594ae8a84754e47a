// tar (POSIX ustar, GNU and PAX): 512-byte headers, each followed by its member's data rounded up to 512.
// Spec: https://www.gnu.org/software/tar/manual/html_node/Standard.html
// Checked: header checksums, sizes (octal or GNU base-256), GNU long names and PAX `path`. Members are
// listed, not read, except where the caller walks them (torch's legacy tar).
import { Reader, ascii, decodeLatin1, decodeUtf8, startsWith } from './bytes';
import type { Finding, TarMember } from './types';
import { concludes, MAX_LISTED_ENTRIES, type FormatModule, type Judgement } from './judgement';
import type { PaperEvidence } from './paper-rules';
import { isTorchTar, torchTar } from './torch';

export const MAX_TAR_MEMBERS = 10_000;

function octal(b: Uint8Array, at: number, len: number): number {
  const first = b[at] ?? 0;
  if (first & 0x80) {
    // GNU base-256 for sizes over 8 GiB.
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[at + i] ?? 0);
    return v;
  }
  const text = decodeLatin1(b.subarray(at, at + len))
    .replace(/[\0 ]+$/g, '')
    .trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
  return sum === octal(h, 148, 8);
}

function isTar(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  return startsWith(head, ascii('ustar'), 257) || (head[0] !== 0 && checksumOk(head.subarray(0, 512)));
}

function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  const bytes = nul < 0 ? b : b.subarray(0, nul);
  return decodeUtf8(bytes) ?? decodeLatin1(bytes);
}

async function readTarIndex(
  reader: Reader,
  size: number,
): Promise<{ members: TarMember[]; findings: Finding[] }> {
  const members: TarMember[] = [];
  const findings: Finding[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= size) {
    if (members.length >= MAX_TAR_MEMBERS) {
      findings.push({
        code: 'tar-too-many-members',
        severity: 'warning',
        message: `only the first ${MAX_TAR_MEMBERS} members were listed`,
      });
      break;
    }
    const h = await reader.read(at, at + 512);
    if (h.every((x) => x === 0)) break;
    if (!checksumOk(h)) {
      findings.push({
        code: 'tar-bad-checksum',
        severity: 'error',
        message: `the header at byte ${at} has a bad checksum`,
      });
      break;
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const len = octal(h, 124, 12);
    if (!Number.isFinite(len) || at + 512 + len > size) {
      findings.push({
        code: 'tar-truncated',
        severity: 'error',
        message: `the member at byte ${at} runs past the end of the file`,
      });
      break;
    }
    const prefix = startsWith(h, ascii('ustar\0'), 257) ? cString(h.subarray(345, 500)) : '';
    let name = cString(h.subarray(0, 100));
    if (prefix) name = `${prefix}/${name}`;
    const data = at + 512;
    if (type === 'L' || type === 'x') {
      const body = await reader.read(data, data + Math.min(len, 64 * 1024));
      if (type === 'L') longName = cString(body);
      else longName = / path=([^\n]*)\n/.exec(` ${decodeUtf8(body) ?? ''}`)?.[1] ?? longName;
    } else {
      members.push({ name: longName ?? name, offset: data, size: len, type });
      longName = undefined;
    }
    at = data + Math.ceil(len / 512) * 512;
  }
  return { members, findings };
}

async function tarFile(reader: Reader, size: number, acc: Judgement, ev: PaperEvidence): Promise<void> {
  const idx = await readTarIndex(reader, size);
  acc.findings.push(...idx.findings);
  const names = idx.members.map((m) => m.name);
  acc.details.entries = names.slice(0, MAX_LISTED_ENTRIES);
  acc.details.entryCount = names.length;
  if (isTorchTar(names)) return torchTar(reader, idx.members, acc, ev);
  acc.format = 'tar';
  acc.risk = 'caution';
  acc.findings.push({
    code: 'archive-not-read',
    severity: 'warning',
    message: `a tar archive of ${names.length} member(s): their contents were not read`,
  });
}

export const TAR_MODULE: FormatModule = {
  id: 'tar',
  formats: ['tar', 'torch-tar'],
  sniff: (c) => isTar(c.head),
  judge: concludes((c, j) => tarFile(c.reader, c.known, j, c.ev)),
};
