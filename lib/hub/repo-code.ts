// A repo's code risk, read from the Hub: the root configs that can carry an auto_map (a few KiB each, read
// whole through the same Range reader as model files), judged with the listing by lib/formats/repo-code.ts.
import { CODE_CONFIGS, MAX_CONFIG_BYTES, repoCode, type RepoCode } from '../formats/repo-code';
import type { ByteSource } from '../formats/types';

export async function readRepoCode(
  entries: { path: string; size: number }[],
  open: (path: string, size: number) => ByteSource,
): Promise<RepoCode> {
  const configs: { path: string; text?: string; unread?: string }[] = [];
  for (const e of entries) {
    if (!CODE_CONFIGS.has(e.path)) continue;
    if (e.size > MAX_CONFIG_BYTES) {
      configs.push({ path: e.path, unread: `${e.size} bytes, over ${MAX_CONFIG_BYTES}` });
      continue;
    }
    try {
      const bytes = await open(e.path, e.size).read(0, e.size);
      configs.push({ path: e.path, text: new TextDecoder().decode(bytes) });
    } catch (err) {
      configs.push({ path: e.path, unread: err instanceof Error ? err.message : String(err) });
    }
  }
  return repoCode(
    entries.map((e) => e.path),
    configs,
  );
}
