// Verdicts for the content script's features: the background's cache by content key first, then the
// file's own first bytes, read same-origin from the page; a verdict from a failed read is not remembered.
import { classify } from '@/lib/formats/classify';
import type { Verdict } from '@/lib/formats/types';
import { HubFileSource, Limiter } from '@/lib/hub/http-source';
import type { RepoRef } from '@/lib/hub/url';
import { send } from '@/lib/messaging-client';

/** Files read at once from one page (HTTP/2 multiplexes them); the settings may change it. */
let limiter = new Limiter(6);

export function setConcurrency(n: number): void {
  limiter = new Limiter(n);
}

export async function verdictOf(
  repo: RepoRef,
  rev: string,
  path: string,
  size: number | undefined,
  contentKey: string | undefined,
  signal: AbortSignal,
): Promise<Verdict> {
  const known = contentKey ? await send('getVerdict', { contentKey }).catch(() => null) : null;
  if (known) return known;
  const src = new HubFileSource({ endpoint: location.origin, repo, rev, path, size, limiter, signal });
  const v = await classify(src, { name: path });
  if (contentKey && !v.findings.some((f) => f.code.startsWith('hub-') || f.code === 'read-failed')) {
    void send('putVerdict', { contentKey, verdict: v, repo, rev, path }).catch(() => undefined);
  }
  return v;
}
