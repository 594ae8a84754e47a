// Tree page ("Files and versions"): a badge in each model file's row. Size and content key (LFS sha256 or
// blob id) come from the page's own ViewerIndexTreeList island; rows the Hub appends as the list is
// scrolled are not in the island, so theirs come from the background (the tree API, governed), and their
// verdicts are cached by content like the others. A verdict already known for that content comes from the
// background; otherwise the file's first bytes are read here, same-origin, so the user's session opens
// gated repos they may read. Painting is a function of the rows found: a badge the Hub's hydration
// removed, or a row it re-rendered, gets its badge back on the next batch of DOM changes.
import type { Verdict } from '@/lib/formats/types';
import { contentKeyOf } from '@/lib/hub/content-key';
import { isModelFile } from '@/lib/hub/model-files';
import { SELECTORS } from '@/lib/hub/selectors';
import { parseHubUrl, type PageInfo } from '@/lib/hub/url';
import { send } from '@/lib/messaging-client';
import { createBadge, removeCopies, type Badge } from '../badge';
import type { Feature, PageView } from '../page-views';
import { verdictOf } from '../verdicts';

interface Facts {
  size?: number;
  contentKey?: string;
}

interface IslandEntry {
  type: string;
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid: string; size: number };
}

/** The island's entries, parsed once per island element (a re-rendered island is parsed again). */
const islandCache = new WeakMap<Element, Map<string, Facts>>();

function islandFacts(doc: Document): Map<string, Facts> {
  const island = doc.querySelector<HTMLElement>(SELECTORS.treeIsland);
  if (!island) return new Map();
  let map = islandCache.get(island);
  if (map) return map;
  map = new Map();
  try {
    const props = JSON.parse(island.dataset.props ?? '{}') as { entries?: IslandEntry[] };
    for (const e of props.entries ?? [])
      if (e.type === 'file') map.set(e.path, { size: e.lfs?.size ?? e.size, contentKey: contentKeyOf(e) });
  } catch {
    // No island data: rows still get badges, with facts from the background.
  }
  islandCache.set(island, map);
  return map;
}

/** The repo path a row's blob link points at: /{id}/blob/{rev}/{path}, rev possibly `refs%2Fpr%2F5`. */
function pathFromHref(href: string, info: PageInfo): string | undefined {
  const page = parseHubUrl(new URL(href, location.href));
  return page?.page === 'blob' && page.repo.id === info.repo.id ? page.path : undefined;
}

/** Paths by href, parsed once: `apply` runs on every batch of DOM changes over every row. */
const pathCache = new Map<string, string | undefined>();
function rowPath(href: string, info: PageInfo): string | undefined {
  const key = `${info.repo.type}:${info.repo.id} ${href}`;
  if (!pathCache.has(key)) {
    if (pathCache.size > 20_000) pathCache.clear();
    pathCache.set(key, pathFromHref(href, info));
  }
  return pathCache.get(key);
}

/** Facts for rows the island does not list, asked of the background in one message per batch of rows. */
class Lookups {
  private readonly answers = new Map<string, Promise<Facts | undefined>>();
  private readonly done = new Map<string, Facts | null>();
  private queue = new Map<string, (f: Facts | undefined) => void>();

  constructor(private readonly view: PageView) {}

  /** Undefined while unknown; null when the background does not know it either. */
  known(path: string): Facts | null | undefined {
    return this.done.get(path);
  }

  ask(path: string): Promise<Facts | undefined> {
    let p = this.answers.get(path);
    if (p) return p;
    p = new Promise((resolve) => {
      if (!this.queue.size) queueMicrotask(() => void this.flush());
      this.queue.set(path, resolve);
    });
    this.answers.set(path, p);
    return p;
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = new Map();
    const { repo, rev = 'main' } = this.view.info;
    const none: Record<string, Facts> = {};
    const found = await send('treeEntries', { repo, rev, paths: [...batch.keys()] }).catch(() => none);
    for (const [path, resolve] of batch) {
      const f = found[path];
      this.done.set(path, f ?? null);
      resolve(f);
    }
    this.view.repaint();
  }
}

function start(view: PageView): () => void {
  const { info, settings, signal } = view;
  const rev = info.rev ?? 'main';
  const badges = new Map<string, Badge>();
  const verdicts = new Map<string, Verdict>();
  const reading = new Set<string>();
  const lookups = new Lookups(view);

  const read = async (path: string, fromIsland: Facts | undefined) => {
    const facts = fromIsland ?? (await lookups.ask(path));
    const v = await verdictOf(info.repo, rev, path, facts?.size, facts?.contentKey, signal);
    if (signal.aborted) return;
    verdicts.set(path, v);
    view.repaint();
  };

  return () => {
    const island = islandFacts(document);
    for (const link of document.querySelectorAll<HTMLAnchorElement>(SELECTORS.treeFileLink)) {
      const li = link.closest('li');
      const path = rowPath(link.getAttribute('href') ?? '', info);
      if (!li || !path) continue;
      const fromIsland = island.get(path);
      const facts = fromIsland ?? lookups.known(path);
      // Not known yet: ask. Meanwhile a file with a model extension gets its badge; an extensionless one is a
      // model file only from 1 KB on, so it waits for its size.
      if (facts === undefined) void lookups.ask(path);
      if (!isModelFile(path, facts?.size ?? 0, settings.scanEverything)) continue;

      let badge = badges.get(path);
      if (!badge) {
        // What to do instead names a safetensors file of this tree that Picklens found to be one.
        badge = createBadge(document, path, () => ({
          safetensors: [...verdicts]
            .filter(([, v]) => v.format === 'safetensors' && v.risk === 'safe')
            .map(([p]) => p),
        }));
        badges.set(path, badge);
      }
      // Exactly one badge per row, last in the name's cell: after the Hub's own scan button, which keeps the
      // place the Hub gives it (right after the name) at every width.
      removeCopies(li, '.picklens-badge', badge.root);
      const cell = link.parentElement;
      if (cell && cell !== li) {
        if (cell.lastElementChild !== badge.root) cell.append(badge.root);
      } else if (link.nextElementSibling !== badge.root) link.after(badge.root);
      const v = verdicts.get(path);
      if (v && (badge.root.dataset.picklensRisk !== v.risk || badge.root.dataset.picklensPath !== path))
        badge.paint(v);
      if (!reading.has(path)) {
        reading.add(path);
        read(path, fromIsland).catch((e: unknown) => console.warn('picklens: tree badge', path, e));
      }
    }
  };
}

export const treeBadges: Feature = {
  id: 'tree-badges',
  setting: 'treeBadges',
  include: (info) => info.page === 'tree',
  start,
};
