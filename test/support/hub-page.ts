// What the end-to-end tests ask of a Hub page in Chromium: wait for the replica's hydration to end,
// scroll a tree to its end, read every row's badges, count IndexedDB records; and the risk each sample
// repo's model files must show, computed in Node from the same bytes.
import type { Page, WebWorker } from 'puppeteer';
import { classify } from '../../lib/formats/classify';
import { memorySource } from '../../lib/formats/bytes';
import { isModelFile } from '../../lib/hub/model-files';
import { SELECTORS } from '../../lib/hub/selectors';
import { sizeOf, sliceOf, type FileContent, type RepoSpec } from '../hub/repos';

/**
 * The model files of a repo's newest commit and the risk their badges must show; with `dir`, only the files
 * a tree page of that folder lists.
 */
export async function expectedRisks(spec: RepoSpec, dir?: string): Promise<Record<string, string>> {
  const files = new Map<string, FileContent>();
  for (const c of spec.commits)
    for (const [p, content] of Object.entries(c.files))
      if (content) files.set(p, content);
      else files.delete(p);
  const out: Record<string, string> = {};
  for (const [p, content] of files) {
    if (!isModelFile(p, sizeOf(content))) continue;
    if (dir !== undefined && p.slice(0, Math.max(0, p.lastIndexOf('/'))) !== dir) continue;
    const bytes = sliceOf(content, 0, Math.min(sizeOf(content), 1 << 20));
    const local = await classify(
      { size: sizeOf(content), read: (s, e) => memorySource(bytes).read(s, e) },
      { name: p },
    );
    out[p] = spec.gated ? 'unknown' : local.risk;
  }
  return out;
}

/** Until the replica's last hydration pass has run (every pass removes what Picklens painted). */
export async function hydrated(page: Page, timeout = 10_000): Promise<void> {
  // Polled, not per animation frame: a tab behind another (the popup's) draws no frames.
  await page.waitForFunction(() => document.documentElement.dataset.replicaHydration === 'done', {
    timeout,
    polling: 100,
  });
}

/** Scrolls the tree's end into view until the Hub has appended every page of rows. */
export async function scrollTreeToEnd(page: Page, timeout = 20_000): Promise<void> {
  // A tab behind another renders nothing, and its IntersectionObserver never fires.
  await page.bringToFront();
  const end = Date.now() + timeout;
  while (await page.$('[data-tree-sentinel]')) {
    if (Date.now() > end) throw new Error('the tree did not reach its end');
    await page.evaluate(() => document.querySelector('[data-tree-sentinel]')?.scrollIntoView());
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RowBadges {
  /** Each file row's path and the risks of the badges in it (one expected for a model file, none else). */
  rows: { path: string; risks: string[] }[];
}

/** Every file row of the tree with the badges it holds. */
export async function rowBadges(page: Page): Promise<RowBadges['rows']> {
  return page.$$eval(SELECTORS.treeFileLink, (links) =>
    links.map((a) => {
      const href = a.getAttribute('href') ?? '';
      const path = decodeURIComponent(href.replace(/^.*?\/blob\/[^/]+\//, ''));
      const li = a.closest('li');
      return {
        path,
        risks: [...(li?.querySelectorAll<HTMLElement>('.picklens-badge') ?? [])].map(
          (b) => b.dataset.picklensRisk ?? '',
        ),
      };
    }),
  );
}

/**
 * Until every model file's row holds exactly one settled badge with the expected risk and no other row
 * holds one, after the replica's hydration has ended; returns what the rows hold then.
 */
export async function badgesSettle(
  page: Page,
  expected: Record<string, string>,
  timeout = 10_000,
): Promise<Record<string, string[]>> {
  await hydrated(page, timeout);
  const want = JSON.stringify(
    Object.fromEntries(Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))),
  );
  const end = Date.now() + timeout;
  for (;;) {
    const rows = await rowBadges(page);
    const got: Record<string, string[]> = Object.fromEntries(
      rows.filter((r) => r.risks.length).map((r) => [r.path, r.risks]),
    );
    const flat: Record<string, string> = {};
    for (const [p, r] of Object.entries(got).sort(([a], [b]) => (a < b ? -1 : 1)))
      if (r.length === 1) flat[p] = r[0] ?? '';
    if (JSON.stringify(flat) === want && Object.values(got).every((r) => r.length === 1)) return got;
    if (Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One request on one IndexedDB store of the extension, run in its worker. */
function inStore<T>(worker: WebWorker, store: string, op: 'count' | 'getAll' | 'clear'): Promise<T> {
  return worker.evaluate(
    (name: string, what: 'count' | 'getAll' | 'clear') =>
      new Promise<unknown>((resolve, reject) => {
        const req = indexedDB.open('picklens');
        req.onerror = () => reject(new Error('open failed'));
        req.onsuccess = () => {
          const tx = req.result.transaction(name, what === 'clear' ? 'readwrite' : 'readonly');
          const r = tx.objectStore(name)[what]();
          tx.oncomplete = () => resolve(r.result);
          tx.onerror = () => reject(new Error(`${what} failed`));
        };
      }),
    store,
    op,
  ) as Promise<T>;
}

/** Count of one IndexedDB store of the extension. */
export const idbCount = (worker: WebWorker, store: string) => inStore<number>(worker, store, 'count');
/** Every record of one IndexedDB store of the extension. */
export const idbAll = <T>(worker: WebWorker, store: string) => inStore<T[]>(worker, store, 'getAll');
/** Empties one store (a test that must see files read, not taken from the cache). */
export const idbClear = (worker: WebWorker, store: string) => inStore<void>(worker, store, 'clear');

/** The folders of a repo's newest commit that hold model files ('' for the root). */
export async function modelFolders(spec: RepoSpec): Promise<string[]> {
  const all = Object.keys(await expectedRisks(spec));
  return [...new Set(['', ...all.map((p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))))])].sort();
}

/** The sample repo with this id (test/hub/sample-repos.ts); a missing one is a test's own error. */
export function specOf(samples: RepoSpec[], id: string): RepoSpec {
  const s = samples.find((r) => r.id === id);
  if (!s) throw new Error(`no sample repo ${id}`);
  return s;
}
