// Tree page ("Files and versions"): a badge in each model file's row. File data (size, LFS sha256 or blob
// id) comes from the page's own ViewerIndexTreeList island; a verdict already known for that content comes
// from the background; otherwise the file's first bytes are read here, same-origin, so the user's session
// opens gated repos they may read. Rows added by "Load more" and rows re-rendered by hydration are handled
// whenever they appear (one MutationObserver), torn down with the page's signal.
import type { Verdict } from '@/lib/formats/types';
import { contentKeyOf } from '@/lib/hub/content-key';
import { isModelFile } from '@/lib/hub/model-files';
import type { Settings } from '@/lib/settings';
import { SELECTORS } from '@/lib/hub/selectors';
import { parseHubUrl, type PageInfo } from '@/lib/hub/url';
import { createBadge } from '../badge';
import { send } from '@/lib/messaging-client';
import { verdictOf } from '../verdicts';

interface IslandEntry {
  type: string;
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid: string; size: number };
}

function islandEntries(doc: Document): Map<string, IslandEntry> {
  const map = new Map<string, IslandEntry>();
  const island = doc.querySelector<HTMLElement>(SELECTORS.treeIsland);
  try {
    const props = JSON.parse(island?.dataset.props ?? '{}') as { entries?: IslandEntry[] };
    for (const e of props.entries ?? []) if (e.type === 'file') map.set(e.path, e);
  } catch {
    // No island data: rows still get badges, read without a content key.
  }
  return map;
}

/** The repo path a row's blob link points at: /{id}/blob/{rev}/{path}, rev possibly `refs%2Fpr%2F5`. */
function pathFromHref(href: string, info: PageInfo): string | undefined {
  const page = parseHubUrl(new URL(href, location.href));
  return page?.page === 'blob' && page.repo.id === info.repo.id ? page.path : undefined;
}

export function initTreeBadges(signal: AbortSignal, settings: Settings): void {
  const info = parseHubUrl(location.href);
  if (info?.page !== 'tree') return;
  const rev = info.rev ?? 'main';
  void send('logVisit', { repo: info.repo, url: location.href, page: 'tree' }).catch(() => undefined);
  const entries = islandEntries(document);
  const verdicts = new Map<string, Promise<Verdict>>();

  const verdictFor = (path: string): Promise<Verdict> => {
    let p = verdicts.get(path);
    if (!p) {
      const entry = entries.get(path);
      p = verdictOf(info.repo, rev, path, entry?.lfs?.size ?? entry?.size, contentKeyOf(entry), signal);
      verdicts.set(path, p);
    }
    return p;
  };

  const handleRow = (li: Element) => {
    if (li.querySelector('.picklens-badge')) return;
    const link = li.querySelector<HTMLAnchorElement>(SELECTORS.fileLink);
    const path = link && pathFromHref(link.getAttribute('href') ?? '', info);
    if (!link || !path) return;
    const entry = entries.get(path);
    if (!isModelFile(path, entry?.size, settings.scanEverything)) return;
    const badge = createBadge(document, path);
    link.after(badge.root);
    verdictFor(path).then(
      (v) => badge.paint(v),
      (e: unknown) => console.warn('picklens: tree badge', path, e),
    );
  };

  const scan = (root: ParentNode) => root.querySelectorAll(SELECTORS.treeRow).forEach(handleRow);
  scan(document);
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (!(n instanceof Element)) continue;
        if (n.matches(SELECTORS.treeRow)) handleRow(n);
        else scan(n);
      }
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });
}
