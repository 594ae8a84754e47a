// A file's content identity (DESIGN.md "Content identity"): its LFS sha256, else its git blob id. Verdicts
// are cached under it, so the same bytes in another repo, commit or fork are never read twice.
export function contentKeyOf(e: { oid?: string; lfs?: { oid: string } } | undefined): string | undefined {
  if (e?.lfs?.oid) return `sha256:${e.lfs.oid}`;
  return e?.oid ? `git:${e.oid}` : undefined;
}
