// Size and content key of files the page lists without them: rows the Hub appends as the tree is scrolled
// are rendered from the tree API client-side, and the page's island keeps only the first page's entries
// (HUB.md "The tree grows by scrolling"). The background lists the same folder through the API (governed,
// one shared budget for all tabs), page by page, only as far as the rows asked for, and remembers the
// pages for a while so that the next rows continue where the listing stopped.
import { contentKeyOf } from '../hub/content-key';
import type { HubApi, TreeEntry } from '../hub/api';
import { repoPath, type RepoRef } from '../hub/url';

/** Pages of one folder listed at most per lookup (the real Hub: 1,000 entries a page). */
const MAX_TREE_PAGES_PER_LOOKUP = 20;
/** How long a folder's listing is reused: a page view, give or take. */
const TREE_LISTING_TTL_MS = 10 * 60_000;
/** Folders remembered at once. */
const MAX_LISTINGS = 50;

export interface EntryFacts {
  size: number;
  contentKey?: string;
}

interface Listing {
  at: number;
  entries: Map<string, TreeEntry>;
  pages: AsyncIterator<TreeEntry[]>;
  done: boolean;
  /** One lookup advances the listing at a time. */
  busy: Promise<void>;
}

export class TreeEntries {
  private listings = new Map<string, Listing>();

  constructor(
    private readonly api: HubApi,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Facts of the paths found (files only), reading no further than needed. */
  async lookup(repo: RepoRef, rev: string, paths: string[]): Promise<Record<string, EntryFacts>> {
    const byDir = new Map<string, string[]>();
    for (const p of paths) {
      const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      byDir.set(dir, [...(byDir.get(dir) ?? []), p]);
    }
    const out: Record<string, EntryFacts> = {};
    for (const [dir, wanted] of byDir) {
      const listing = this.listing(repo, rev, dir);
      const run = listing.busy.then(() => this.advance(listing, wanted));
      listing.busy = run.catch(() => undefined);
      await run;
      for (const p of wanted) {
        const e = listing.entries.get(p);
        if (e?.type === 'file') out[p] = { size: e.lfs?.size ?? e.size, contentKey: contentKeyOf(e) };
      }
    }
    return out;
  }

  private listing(repo: RepoRef, rev: string, dir: string): Listing {
    const key = `${repoPath(repo)}@${rev}/${dir}`;
    const old = this.listings.get(key);
    if (old && this.now() - old.at < TREE_LISTING_TTL_MS) return old;
    if (this.listings.size >= MAX_LISTINGS) {
      const oldest = this.listings.keys().next().value;
      if (oldest !== undefined) this.listings.delete(oldest);
    }
    const fresh: Listing = {
      at: this.now(),
      entries: new Map(),
      pages: this.api.treePages(repo, rev, dir, false)[Symbol.asyncIterator](),
      done: false,
      busy: Promise.resolve(),
    };
    this.listings.set(key, fresh);
    return fresh;
  }

  private async advance(listing: Listing, wanted: string[]): Promise<void> {
    const missing = () => wanted.some((p) => !listing.entries.has(p));
    for (let pages = 0; !listing.done && missing() && pages < MAX_TREE_PAGES_PER_LOOKUP; pages++) {
      const next = await listing.pages.next();
      if (next.done) listing.done = true;
      else for (const e of next.value) listing.entries.set(e.path, e);
    }
  }
}
