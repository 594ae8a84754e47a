// A Git LFS pointer: the small text file Git stores in place of a large one (its oid and size), not the
// file itself. Spec: https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md
import { ascii, startsWith } from './bytes';
import { concludes, type FormatModule, type Judgement } from './judgement';

const LFS_POINTER = ascii('version https://git-lfs.github.com/spec/');

function lfsPointer(head: Uint8Array, acc: Judgement): void {
  acc.format = 'lfs-pointer';
  acc.risk = 'unknown';
  const text = new TextDecoder().decode(head.subarray(0, 1024));
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  if (oid) acc.details.oid = oid;
  if (size) acc.details.pointedSize = Number(size);
  acc.findings.push({
    code: 'lfs-pointer',
    severity: 'info',
    message: 'a Git LFS pointer, not the file itself',
  });
}

export const LFS_POINTER_MODULE: FormatModule = {
  id: 'lfs-pointer',
  formats: ['lfs-pointer'],
  sniff: (c) => startsWith(c.head, LFS_POINTER),
  judge: concludes((c, j) => lfsPointer(c.head, j)),
};
