// The extension on the replica reached as https://huggingface.co, with every roughness of the real site on
// (HUB.md "The real site in 2026"): islands that hydrate three times and remove what Picklens painted, a
// tree that grows on scroll, client-side tabs, the Xet bridge, CDN errors without CORS, CloudFront's bogus
// 416s, gzipped small files, 401s for missing repos. Every page type: tree (long, scrolled to its end),
// blob, repo home of a model, a dataset and a space, discussions list, PR page, profiles, listings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { CHIP_MAX_TREE_PAGES } from '../../lib/background/handlers';
import { SELECTORS } from '../../lib/hub/selectors';
import { BROWSER_CDN, hubHostRules, launchWithExtension, type Launched } from '../support/browser';
import {
  badgesSettle,
  expectedRisks,
  hydrated,
  idbAll,
  idbClear,
  idbCount,
  modelFolders,
  rowBadges,
  scrollTreeToEnd,
  specOf,
} from '../support/hub-page';
import { historyRepo, hugeRepo, sampleRepos } from '../hub/sample-repos';
import { startReplica, type Replica } from '../hub/server';

let hub: Replica;
let b: Launched;
let page: Page;
const samples = sampleRepos();
const spec = (id: string) => specOf(samples, id);

/** `/{id}` for models, `/datasets/{id}`, `/spaces/{id}`. */
const base = (r: { id: string; type?: string }) =>
  `https://huggingface.co/${r.type && r.type !== 'model' ? `${r.type}s/` : ''}${r.id}`;

beforeAll(async () => {
  hub = await startReplica({
    repos: [...samples, hugeRepo()],
    cdnOrigin: BROWSER_CDN,
    knobs: { pageSize: 25 },
  });
  b = await launchWithExtension(hubHostRules(hub.port));
  page = await b.browser.newPage();
});
afterAll(async () => {
  await b?.close();
  await hub?.close();
});

describe('tree pages, as rough as the real Hub', () => {
  it('every model-file row of every sample repo holds exactly one badge with its risk, after hydration and after scrolling to the end', async () => {
    let painted = 0;
    for (const r of samples) {
      for (const dir of await modelFolders(r)) {
        const expected = await expectedRisks(r, dir);
        await page.goto(`${base(r)}/tree/main${dir ? `/${dir}` : ''}`, { waitUntil: 'domcontentloaded' });
        await scrollTreeToEnd(page);
        const got = await badgesSettle(page, expected);
        const flat = Object.fromEntries(Object.entries(got).map(([p, risks]) => [p, risks.join(',')]));
        expect(flat, `${r.id}/${dir}`).toEqual(expected);
        painted += Object.keys(got).length;
      }
    }
    // Every fixture, the long tree's, the nested dataset's and space's files: none left out.
    expect(painted).toBeGreaterThan(50);
  });

  it('the long tree: rows appended on scroll get facts from the tree API (an extensionless pickle is found), and no file is read twice', async () => {
    hub.knobs.spurious416Every = 0; // here the reads are counted; the 416s have their own test
    hub.log.length = 0;
    const r = spec('picklens/long-tree');
    await page.goto(`${base(r)}/tree/main`, { waitUntil: 'domcontentloaded' });
    expect(await page.$$eval(SELECTORS.treeFileLink, (a) => a.length)).toBe(25);
    await scrollTreeToEnd(page);
    const got = await badgesSettle(page, await expectedRisks(r));
    expect(got['zz-checkpoint']).toEqual(['dangerous']);
    expect(got['pytorch_model.bin']).toEqual(['unsafe']);
    // The rows past the first page were looked up in the tree API, by the background, once per page (the
    // extensionless zz-checkpoint got its size there: it is badged), or came from the background's listing
    // of an earlier visit (10 minutes). The rows' lookups list one folder (recursive=false); the repo chip
    // lists the repo once (recursive, at most CHIP_MAX_TREE_PAGES pages).
    const trees = hub.log.filter(
      (l) => l.path.startsWith('/api/models/picklens/long-tree/tree/') && l.path.includes('expand=false'),
    );
    const rows = trees.filter((l) => l.path.includes('recursive=false'));
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(trees.length - rows.length).toBeLessThanOrEqual(CHIP_MAX_TREE_PAGES);
    expect([...hub.repeatedReads()]).toEqual([]);
    hub.knobs.spurious416Every = 5;
  });

  it('verdicts of appended rows are cached by content: a second visit reads no file', async () => {
    const r = spec('picklens/long-tree');
    await page.goto(`${base(r)}/tree/main`, { waitUntil: 'domcontentloaded' });
    hub.log.length = 0;
    await page.reload({ waitUntil: 'domcontentloaded' });
    await scrollTreeToEnd(page);
    await badgesSettle(page, await expectedRisks(r));
    expect(hub.log.filter((l) => l.path.includes('/resolve/') || l.host.endsWith('hf.co'))).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.dataset.picklensEngine)).toBeUndefined();
  });

  it('a dangerous file’s panel names its import, by keyboard', async () => {
    const r = spec('picklens/fixtures');
    await page.goto(`${base(r)}/tree/main`, { waitUntil: 'domcontentloaded' });
    await hydrated(page);
    const sel = '.picklens-badge[data-picklens-path="hidden_in_txt.zip"]';
    await page.waitForSelector(`${sel}:not([data-picklens-risk="pending"])`);
    await page.focus(sel);
    const panel = await page.$eval(sel, (e) => {
      const p = e.querySelector<HTMLElement>('.picklens-panel');
      return { hidden: p?.hidden, text: p?.textContent ?? '', label: e.getAttribute('aria-label') ?? '' };
    });
    expect(panel.hidden).toBe(false);
    expect(panel.text).toContain('posix.system — dangerous');
    expect(panel.label).toContain('dangerous');
  });

  it('a subtree replaced with copies of our badges, and a badge’s attributes reset, are repaired without duplicates or a repaint loop', async () => {
    const r = spec('picklens/dangerous');
    const expected = await expectedRisks(r);
    await page.goto(`${base(r)}/tree/main`, { waitUntil: 'domcontentloaded' });
    await badgesSettle(page, expected);
    const copies = await page.evaluate(() => {
      const ul = document.querySelector('[data-target="ViewerIndexTreeList"] > ul');
      const fresh = ul?.cloneNode(true) as Element | undefined;
      if (!ul || !fresh) return -1;
      ul.replaceWith(fresh); // copies of the badges, without their listeners
      const b = document.querySelector<HTMLElement>('.picklens-badge');
      delete b?.dataset.picklensRisk;
      return document.querySelectorAll('.picklens-badge').length;
    });
    expect(copies).toBe(Object.keys(expected).length);
    const got = await badgesSettle(page, expected);
    expect(Object.values(got).every((risks) => risks.length === 1)).toBe(true);
    // Settled means settled: nothing Picklens does changes the page any more.
    const mutations = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let n = 0;
          const o = new MutationObserver((records) => (n += records.length));
          o.observe(document.body, { childList: true, subtree: true, attributes: true });
          setTimeout(() => {
            o.disconnect();
            resolve(n);
          }, 1000);
        }),
    );
    expect(mutations).toBe(0);
  });

  it('a CloudFront 416 with a false total, unreadable in the page (no CORS), ends in the right verdict through the background; no wrong verdict is cached', async () => {
    await idbClear(b.worker, 'verdicts'); // the files must be read again
    hub.knobs.spurious416Every = 2;
    hub.log.length = 0;
    const r = spec('picklens/history');
    const expected = await expectedRisks(r);
    await page.goto(`${base(r)}/tree/main`, { waitUntil: 'domcontentloaded' });
    const got = await badgesSettle(page, expected);
    expect(Object.fromEntries(Object.entries(got).map(([p, x]) => [p, x.join(',')]))).toEqual(expected);
    const bogus = hub.log.filter((l) => l.status === 416);
    expect(bogus.length).toBeGreaterThan(0);
    // The page could not read those answers: the worker made the same reads.
    const cdn = hub.log.filter((l) => l.host.endsWith('hf.co'));
    expect(cdn.some((l) => l.status === 416 && l.fetchSite === 'cross-site')).toBe(true);
    expect(cdn.some((l) => l.status === 206 && l.fetchSite === 'none')).toBe(true);
    hub.knobs.spurious416Every = 5;
    // Every cached verdict is the verdict of its bytes.
    const cached = await idbAll<{ contentKey: string; verdict: { risk: string; format: string } }>(
      b.worker,
      'verdicts',
    );
    const files = await idbAll<{ path: string; contentKey: string; repoKey: string }>(b.worker, 'files');
    for (const f of files.filter((x) => x.repoKey === 'model:picklens/history')) {
      const v = cached.find((c) => c.contentKey === f.contentKey);
      if (v && expected[f.path]) expect(v.verdict.risk, f.path).not.toBe('unknown');
    }
  });
});

describe('repo pages after hydration', () => {
  it('the chip of a model, a dataset and a space', async () => {
    for (const [id, want] of [
      [
        'picklens/history',
        {
          picklensSafe: '1',
          picklensCaution: '1',
          picklensUnsafe: '1',
          picklensOpenPr: '3',
          picklensCode: 'none',
        },
      ],
      ['datasets-org/data', { picklensSafe: '1', picklensCode: 'none' }],
      ['picklens/demo', { picklensUnsafe: '1', picklensWeights: 'pickle only', picklensCode: 'python' }],
      // The Hub shows safe weights; the loaders run this repo's .py files and another repo's tokenizer.
      ['picklens/remote-code', { picklensSafe: '1', picklensCode: 'remote' }],
    ] as const) {
      await page.goto(base(spec(id)), { waitUntil: 'domcontentloaded' });
      await hydrated(page);
      await page.waitForFunction(
        () => document.querySelectorAll('.picklens-chip[data-picklens-chip="ready"]').length === 1,
        { timeout: 10_000 },
      );
      const chip = await page.$eval(SELECTORS.repoTitle, (h) => {
        const c = h.querySelector<HTMLElement>('.picklens-chip');
        return { ...(c?.dataset ?? {}), text: c?.textContent ?? '' };
      });
      expect(chip, id).toMatchObject(want);
      if (id === 'picklens/remote-code') {
        expect(chip.text).toContain("runs another repo's code with trust_remote_code");
        const label = await page.$eval('.picklens-chip-code', (c) => c.getAttribute('aria-label') ?? '');
        expect(label).toContain('other-org/tokenizers/tokenization_tiny.py');
        expect(label).toContain('configuration_tiny.py, modeling_tiny.py');
      }
    }
  });

  it('the chip links the open SFconvertbot PR; a status change on the Hub is a new entry on the next visit', async () => {
    const prHistory = async () =>
      Object.fromEntries(
        (
          await idbAll<{ repoKey: string; num: number; history: { status: string }[] }>(
            b.worker,
            'pullRequests',
          )
        )
          .filter((p) => p.repoKey === 'model:picklens/history')
          .map((p) => [String(p.num), p.history.map((h) => h.status)]),
      );
    await page.goto('https://huggingface.co/picklens/history', { waitUntil: 'domcontentloaded' });
    await hydrated(page);
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]');
    expect(await page.$eval('.picklens-chip a', (a) => a.getAttribute('href'))).toBe(
      '/picklens/history/discussions/3',
    );
    expect(await prHistory()).toEqual({ '1': ['merged'], '3': ['open'] });
    const changed = historyRepo();
    const pr = changed.discussions?.find((d) => d.num === 3);
    if (pr) pr.status = 'closed';
    hub.setRepo(changed);
    await page.goto('https://huggingface.co/picklens/history', { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]');
    expect(await prHistory()).toEqual({ '1': ['merged'], '3': ['open', 'closed'] });
    hub.setRepo(historyRepo());
  });

  it('a 50,000-file dataset’s home page costs at most 4 API calls (3 tree pages, 1 PR listing) and no 429', async () => {
    hub.knobs.pageSize = 1000; // the real Hub's tree page
    hub.log.length = 0;
    await page.goto('https://huggingface.co/datasets/picklens/huge', { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]', { timeout: 20_000 });
    await hydrated(page);
    const api = hub.log.filter((l) => l.path.startsWith('/api/datasets/picklens/huge'));
    expect(api.length).toBeLessThanOrEqual(4);
    expect(api.filter((l) => l.path.includes('/tree/'))).toHaveLength(3);
    expect(hub.log.filter((l) => l.status === 429)).toEqual([]);
    const chip = await page.$eval('.picklens-chip', (c) => ({
      text: c.textContent ?? '',
      truncated: (c as HTMLElement).dataset.picklensTruncated,
    }));
    expect(chip.truncated).toBe('true');
    expect(chip.text).toContain('there are more');
    hub.knobs.pageSize = 25;
  });

  it('the blob page’s panel, after hydration', async () => {
    await page.goto('https://huggingface.co/picklens/fixtures/blob/main/os_system.pkl', {
      waitUntil: 'domcontentloaded',
    });
    await hydrated(page);
    await page.waitForSelector('.picklens-blob .picklens-badge[data-picklens-risk="dangerous"]');
    const panel = await page.$eval('.picklens-blob .picklens-panel', (p) => ({
      hidden: (p as HTMLElement).hidden,
      text: p.textContent ?? '',
    }));
    expect(panel.hidden).toBe(false);
    expect(panel.text).toContain('posix.system — dangerous');
    expect(await page.$$('.picklens-blob')).toHaveLength(1);
  });

  it('PR marks on the PR page and the discussions list, after hydration', async () => {
    await page.goto('https://huggingface.co/picklens/history/discussions/3', {
      waitUntil: 'domcontentloaded',
    });
    await hydrated(page);
    await page.waitForSelector(`${SELECTORS.discussionTitle} .picklens-pr`);
    expect(
      await page.$$eval('.picklens-pr', (m) => m.map((e) => (e as HTMLElement).dataset.picklensPrStatus)),
    ).toEqual(['open']);
    await page.goto('https://huggingface.co/picklens/history/discussions', { waitUntil: 'domcontentloaded' });
    await hydrated(page);
    await page.waitForFunction(() => document.querySelectorAll('.picklens-pr').length === 2);
    expect(
      await page.$$eval('.picklens-pr', (els) => els.map((e) => (e as HTMLElement).dataset.picklensPrStatus)),
    ).toEqual(['merged', 'open']);
  });

  it('a gated repo shows unknown (gated), without page errors', async () => {
    const errors: string[] = [];
    const onError = (e: unknown) => errors.push(String(e));
    page.on('pageerror', onError);
    await page.goto('https://huggingface.co/picklens/gated/tree/main', { waitUntil: 'domcontentloaded' });
    await badgesSettle(page, { 'model.safetensors': 'unknown' });
    expect(await page.$eval('.picklens-badge', (e) => e.getAttribute('aria-label'))).toContain(
      'unknown (gated)',
    );
    page.off('pageerror', onError);
    expect(errors).toEqual([]);
  });

  it('429s on file reads delay the badges but lose none', async () => {
    await idbClear(b.worker, 'verdicts');
    hub.knobs.fail429Files = 2;
    hub.knobs.retryAfterSeconds = 1;
    hub.log.length = 0;
    await page.goto('https://huggingface.co/picklens/big/tree/main', { waitUntil: 'domcontentloaded' });
    expect(await badgesSettle(page, { 'model.safetensors': 'safe' })).toEqual({
      'model.safetensors': ['safe'],
    });
    expect(hub.log.filter((l) => l.status === 429).length).toBeGreaterThan(0);
  });
});

describe('a 429 in one tab', () => {
  it('holds every tab’s file reads for the wait it asked', async () => {
    await idbClear(b.worker, 'verdicts');
    hub.knobs.fail429Files = 1;
    hub.knobs.retryAfterSeconds = 2;
    hub.log.length = 0;
    await page.goto('https://huggingface.co/picklens/big/tree/main', { waitUntil: 'domcontentloaded' });
    const start = Date.now();
    while (!hub.log.some((l) => l.status === 429) && Date.now() - start < 10_000)
      await new Promise((r) => setTimeout(r, 20));
    const limited = hub.log.find((l) => l.status === 429);
    expect(limited).toBeDefined();
    const other = await b.browser.newPage();
    await other.goto('https://huggingface.co/picklens/pickle-only/tree/main', {
      waitUntil: 'domcontentloaded',
    });
    await badgesSettle(other, await expectedRisks(spec('picklens/pickle-only')));
    const reads = hub.log.filter((l) => l.path.startsWith('/picklens/pickle-only/resolve/'));
    expect(reads.length).toBeGreaterThan(0);
    // The other tab's reads went only once the wait asked of the first was over (timer slack allowed).
    for (const r of reads) expect(r.at - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1900);
    await other.close();
    await badgesSettle(page, { 'model.safetensors': 'safe' });
  });
});

describe('pages that are not repos, and navigation without a load', () => {
  it('profiles, an org, a listing, a bucket and a collection record no repo and call no repo API', async () => {
    const reposBefore = await idbCount(b.worker, 'repos');
    const visitsBefore = await idbCount(b.worker, 'visits');
    for (const path of [
      '/picklens',
      '/alice',
      '/models',
      '/datasets',
      '/buckets/picklens/weights',
      '/collections/picklens/study-repos-1',
    ]) {
      hub.log.length = 0;
      const res = await page.goto(`https://huggingface.co${path}`, { waitUntil: 'domcontentloaded' });
      expect(res?.status(), path).toBe(200);
      await hydrated(page);
      await page.waitForFunction(() => document.documentElement.dataset.picklens === 'none');
      await new Promise((r) => setTimeout(r, 300)); // what would have been sent has been sent
      expect(
        hub.log.filter((l) => l.path.startsWith('/api/')),
        path,
      ).toEqual([]);
      expect(await page.$$('.picklens-badge, .picklens-chip')).toHaveLength(0);
    }
    expect(await idbCount(b.worker, 'repos')).toBe(reposBefore);
    expect(await idbCount(b.worker, 'visits')).toBe(visitsBefore);
  });

  it('client-side tabs: the tree painted after pushState, the chip back after popstate', async () => {
    const r = spec('picklens/dangerous');
    await page.goto(base(r), { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]');
    const loads: string[] = [];
    const onLoad = () => loads.push('load');
    page.on('load', onLoad);
    await page.click('a.tab-alternate[href$="/tree/main"]');
    await page.waitForFunction(() => location.pathname.endsWith('/tree/main'));
    expect(await badgesSettle(page, await expectedRisks(r))).toMatchObject({ 'scaler.pkl': ['dangerous'] });
    expect(await page.evaluate(() => document.documentElement.dataset.picklens)).toBe(
      'tree-badges repo-chip',
    );
    await page.goBack();
    await page.waitForFunction(() => !location.pathname.includes('/tree/'));
    await hydrated(page);
    await page.waitForFunction(
      () => document.querySelectorAll('.picklens-chip[data-picklens-chip="ready"]').length === 1,
    );
    page.off('load', onLoad);
    expect(loads).toEqual([]); // no page load: the content script followed the navigations
  });
});

describe('the options page: settings and clear my data', () => {
  it('turning tree badges off leaves the tree page unpainted; on again paints it', async () => {
    const popup = await b.browser.newPage();
    await popup.goto(`chrome-extension://${b.extensionId}/options.html`);
    await popup.waitForSelector('input[name="treeBadges"]', { visible: true });
    await popup.click('input[name="treeBadges"]');
    await popup.waitForFunction(
      () => !(document.querySelector('input[name="treeBadges"]') as HTMLInputElement).checked,
    );
    await page.goto('https://huggingface.co/picklens/fixtures/tree/main', { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.documentElement.dataset.picklens !== undefined);
    // The repo chip stays (it has its own setting); the rows get no badge.
    expect(await page.evaluate(() => document.documentElement.dataset.picklens)).toBe('repo-chip');
    await hydrated(page);
    expect((await rowBadges(page)).filter((r) => r.risks.length)).toEqual([]);
    await popup.click('input[name="treeBadges"]');
    await popup.waitForFunction(
      () => (document.querySelector('input[name="treeBadges"]') as HTMLInputElement).checked,
    );
    await page.reload({ waitUntil: 'domcontentloaded' });
    // Painted again, and every read done (a read still in flight would write after the next test clears).
    await scrollTreeToEnd(page);
    const expected = await expectedRisks(spec('picklens/fixtures'), '');
    const got = await badgesSettle(page, expected);
    expect(Object.keys(got)).toHaveLength(Object.keys(expected).length);
    // The chip reads the files of subfolders too: done when it is ready.
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]', { timeout: 30_000 });
    await popup.close();
  });

  it('clear my data asks first, then empties the record', async () => {
    const popup = await b.browser.newPage();
    popup.on('dialog', (d) => void d.accept());
    await popup.goto(`chrome-extension://${b.extensionId}/options.html`);
    await popup.waitForSelector('xpath/.//button[text()="Clear my data"]');
    await popup.click('xpath/.//button[text()="Clear my data"]');
    await popup.waitForFunction(() =>
      /Cleared \d+ records/.test(document.querySelector('[role="status"]')?.textContent ?? ''),
    );
    expect(await idbCount(b.worker, 'verdicts')).toBe(0);
    await popup.close();
  });
});
