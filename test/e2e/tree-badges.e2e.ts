// The extension on the replica's tree page, reached as https://huggingface.co: every model file's row gets
// a badge with the right risk, a dangerous file's panel names its import, "Load more" rows get badges,
// verdicts land in IndexedDB, and a second visit reads no file headers (cache by content key).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { isModelFile } from '../../lib/hub/model-files';
import { launchWithExtension, type Launched } from '../support/browser';
import { readFixtureManifest } from '../support/fixtures';
import { historyRepo, sampleRepos } from '../hub/sample-repos';
import { startReplica, type Replica } from '../hub/server';

let hub: Replica;
let b: Launched;
let page: Page;
const expected = new Map(readFixtureManifest().map((r) => [r.file, r.risk]));

async function badges(p: Page): Promise<Record<string, string>> {
  return p.$$eval('.picklens-badge', (els) =>
    Object.fromEntries(
      els.map((e) => [
        (e as HTMLElement).dataset.picklensPath ?? '',
        (e as HTMLElement).dataset.picklensRisk ?? '',
      ]),
    ),
  );
}

async function settled(p: Page, count: number): Promise<Record<string, string>> {
  await p.waitForFunction(
    (n: number) => {
      const all = [...document.querySelectorAll<HTMLElement>('.picklens-badge')];
      return all.length >= n && all.every((e) => e.dataset.picklensRisk !== 'pending');
    },
    { timeout: 20_000 },
    count,
  );
  return badges(p);
}

beforeAll(async () => {
  hub = await startReplica({
    repos: sampleRepos(),
    cdnOrigin: 'https://cdn-lfs.hf.co',
    knobs: { pageSize: 25 },
  });
  b = await launchWithExtension(
    `MAP huggingface.co 127.0.0.1:${hub.port}, MAP cdn-lfs.hf.co 127.0.0.1:${hub.port}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
  );
  page = await b.browser.newPage();
});
afterAll(async () => {
  await b?.close();
  await hub?.close();
});

describe('tree badges on huggingface.co (the replica)', () => {
  let firstPage: string[] = [];

  it('paints every model file of the first page with its risk', async () => {
    await page.goto('https://huggingface.co/picklens/fixtures/tree/main', { waitUntil: 'domcontentloaded' });
    firstPage = await page.$$eval('[data-target="ViewerIndexTreeList"] li a[href*="/blob/"]', (as) =>
      as.map((a) => decodeURIComponent(a.getAttribute('href')?.split('/blob/main/')[1] ?? '')),
    );
    const models = firstPage.filter((p) => isModelFile(p, 2048));
    const got = await settled(page, models.length);
    expect(Object.keys(got).sort()).toEqual(models.sort());
    expect(await page.evaluate(() => document.documentElement.dataset.picklensEngine)).toBe('loaded');
    for (const path of models) expect(got[path], path).toBe(expected.get(path));
  });

  it('shows a dangerous file’s import in its panel, by keyboard', async () => {
    const sel = '.picklens-badge[data-picklens-path="hidden_in_txt.zip"]';
    await page.focus(sel);
    const panel = await page.$eval(sel, (e) => {
      const p = e.querySelector<HTMLElement>('.picklens-panel');
      return {
        hidden: p?.hidden,
        text: p?.textContent ?? '',
        label: e.getAttribute('aria-label') ?? '',
        tabIndex: (e as HTMLElement).tabIndex,
      };
    });
    expect(panel.hidden).toBe(false);
    expect(panel.text).toContain('posix.system — dangerous');
    expect(panel.label).toContain('dangerous');
    expect(panel.tabIndex).toBe(0);
  });

  it('paints rows added by "Load more"', async () => {
    const before = Object.keys(await badges(page)).length;
    await page.click('[data-load-more]');
    await page.waitForFunction(
      (n: number) => document.querySelectorAll('.picklens-badge').length > n,
      { timeout: 10_000 },
      before,
    );
    const all = await settled(page, before + 1);
    const added = Object.keys(all).filter((p) => !firstPage.includes(p));
    expect(added.length).toBeGreaterThan(0);
    for (const path of added) expect(all[path], path).toBe(expected.get(path));
  });

  it('a list re-rendered by hydration gets its badges back', async () => {
    const before = Object.keys(await badges(page)).length;
    // What a hydration re-render does: the island's list is replaced by fresh markup without our nodes.
    const right = await page.evaluate(() => {
      const ul = document.querySelector('[data-target="ViewerIndexTreeList"] > ul');
      if (!ul) return -1;
      const fresh = ul.cloneNode(true) as Element;
      fresh.querySelectorAll('.picklens-badge').forEach((e) => e.remove());
      ul.replaceWith(fresh);
      return document.querySelectorAll('.picklens-badge').length;
    });
    expect(right).toBe(0);
    const after = await settled(page, before);
    expect(Object.keys(after)).toHaveLength(before);
  });

  it('records verdicts and the visit in IndexedDB, read through the extension', async () => {
    const counts = await b.worker.evaluate(
      () =>
        new Promise<{ verdicts: number; visits: number }>((resolve, reject) => {
          const req = indexedDB.open('picklens');
          req.onerror = () => reject(new Error('open failed'));
          req.onsuccess = () => {
            const tx = req.result.transaction(['verdicts', 'visits']);
            const v = tx.objectStore('verdicts').count();
            const s = tx.objectStore('visits').count();
            tx.oncomplete = () => resolve({ verdicts: v.result, visits: s.result });
          };
        }),
    );
    expect(counts.visits).toBeGreaterThanOrEqual(1);
    expect(counts.verdicts).toBeGreaterThan(15);
  });

  it('a second visit reads no file headers: verdicts come from the cache by content key', async () => {
    hub.log.length = 0;
    await page.reload({ waitUntil: 'domcontentloaded' });
    const models = firstPage.filter((p) => isModelFile(p, 2048));
    const got = await settled(page, models.length);
    for (const path of models) expect(got[path], path).toBe(expected.get(path));
    expect(hub.log.filter((l) => l.path.includes('/resolve/') || l.path.startsWith('/cdn/'))).toEqual([]);
    // Nothing to read, so the engine module was never loaded into the page.
    expect(await page.evaluate(() => document.documentElement.dataset.picklensEngine)).toBeUndefined();
  });
});

describe('repo home, conversion PRs, gated repos, rate limits', () => {
  const prHistory = () =>
    b.worker.evaluate(
      () =>
        new Promise<Record<string, string[]>>((resolve, reject) => {
          const req = indexedDB.open('picklens');
          req.onerror = () => reject(new Error('open failed'));
          req.onsuccess = () => {
            const all = req.result.transaction('pullRequests').objectStore('pullRequests').getAll();
            all.onsuccess = () =>
              resolve(
                Object.fromEntries(
                  (all.result as { num: number; history: { status: string }[] }[]).map((p) => [
                    String(p.num),
                    p.history.map((h) => h.status),
                  ]),
                ),
              );
          };
        }),
    );

  it('the repo chip counts the model files by risk and links the open SFconvertbot PR', async () => {
    await page.goto('https://huggingface.co/picklens/history', { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]', { timeout: 20_000 });
    const chip = await page.$eval('.picklens-chip', (e) => ({
      text: e.textContent ?? '',
      data: { ...(e as HTMLElement).dataset },
      link: e.querySelector('a')?.getAttribute('href'),
    }));
    expect(chip.data).toMatchObject({
      picklensSafe: '1',
      picklensCaution: '1',
      picklensUnsafe: '1',
      picklensDangerous: '0',
      picklensWeights: 'safetensors available',
      picklensOpenPr: '3',
    });
    expect(chip.text).toContain('SFconvertbot PR #3 open');
    expect(chip.link).toBe('/picklens/history/discussions/3');
  });

  it('records the SFconvertbot PRs; a status change on the replica is a new entry on the next visit', async () => {
    expect(await prHistory()).toEqual({ '1': ['merged'], '3': ['open'] });
    const spec = historyRepo();
    const pr = spec.discussions?.find((d) => d.num === 3);
    if (pr) pr.status = 'closed';
    hub.setRepo(spec);
    await page.goto('https://huggingface.co/picklens/history', { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.picklens-chip[data-picklens-chip="ready"]', { timeout: 20_000 });
    expect(await prHistory()).toEqual({ '1': ['merged'], '3': ['open', 'closed'] });
    hub.setRepo(historyRepo());
  });

  it('a gated repo shows unknown (gated), without page errors', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('https://huggingface.co/picklens/gated/tree/main', { waitUntil: 'domcontentloaded' });
    const got = await settled(page, 1);
    expect(got).toEqual({ 'model.safetensors': 'unknown' });
    expect(await page.$eval('.picklens-badge', (e) => e.getAttribute('aria-label'))).toContain(
      'unknown (gated)',
    );
    expect(errors).toEqual([]);
  });

  it('429s from the replica delay the badges but lose none', async () => {
    // Two 429s on the file reads (the page and API are served): the reads wait Retry-After and go on.
    hub.knobs.fail429Files = 2;
    hub.knobs.retryAfterSeconds = 1;
    hub.log.length = 0;
    await page.goto('https://huggingface.co/picklens/big/tree/main', { waitUntil: 'domcontentloaded' });
    const got = await settled(page, 1);
    expect(got).toEqual({ 'model.safetensors': 'safe' });
    expect(hub.log.filter((l) => l.status === 429).length).toBeGreaterThan(0);
  });
});

describe('blob page and conversion PR marks', () => {
  it('a blob page shows its verdict panel, open, by the file header', async () => {
    await page.goto('https://huggingface.co/picklens/fixtures/blob/main/os_system.pkl', {
      waitUntil: 'domcontentloaded',
    });
    await page.waitForSelector('.picklens-blob .picklens-badge[data-picklens-risk="dangerous"]', {
      timeout: 20_000,
    });
    const panel = await page.$eval('.picklens-blob .picklens-panel', (p) => ({
      hidden: (p as HTMLElement).hidden,
      text: p.textContent ?? '',
    }));
    expect(panel.hidden).toBe(false);
    expect(panel.text).toContain('posix.system — dangerous');
  });

  it('the PR page and the discussions list mark SFconvertbot PRs with their state', async () => {
    await page.goto('https://huggingface.co/picklens/history/discussions/3', {
      waitUntil: 'domcontentloaded',
    });
    await page.waitForSelector('.picklens-pr', { timeout: 20_000 });
    expect(await page.$eval('.picklens-pr', (e) => (e as HTMLElement).dataset.picklensPrStatus)).toBe('open');
    await page.goto('https://huggingface.co/picklens/history/discussions', { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelectorAll('.picklens-pr').length === 2, {
      timeout: 20_000,
    });
    expect(
      await page.$$eval('.picklens-pr', (els) => els.map((e) => (e as HTMLElement).dataset.picklensPrStatus)),
    ).toEqual(['merged', 'open']);
  });
});

describe('the popup: settings and clear my data', () => {
  it('turning tree badges off leaves the tree page unpainted; on again paints it', async () => {
    const popup = await b.browser.newPage();
    await popup.goto(`chrome-extension://${b.extensionId}/popup.html`);
    await popup.waitForSelector('details summary');
    await popup.click('details summary'); // settings are folded under the repo view
    await popup.waitForSelector('input[name="treeBadges"]', { visible: true });
    await popup.click('input[name="treeBadges"]');
    await popup.waitForFunction(
      () => !(document.querySelector('input[name="treeBadges"]') as HTMLInputElement).checked,
    );
    await page.goto('https://huggingface.co/picklens/fixtures/tree/main', { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(
      () =>
        document.documentElement.dataset.picklens !== undefined &&
        document.documentElement.dataset.picklens !== 'loaded',
    );
    expect(await page.evaluate(() => document.documentElement.dataset.picklens)).not.toContain('tree-badges');
    expect(await page.$$('.picklens-badge')).toHaveLength(0);
    await popup.click('input[name="treeBadges"]');
    await popup.waitForFunction(
      () => (document.querySelector('input[name="treeBadges"]') as HTMLInputElement).checked,
    );
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.picklens-badge');
    await popup.close();
  });

  it('clear my data asks first, then empties the record', async () => {
    const popup = await b.browser.newPage();
    popup.on('dialog', (d) => void d.accept());
    await popup.goto(`chrome-extension://${b.extensionId}/popup.html`);
    await popup.waitForSelector('xpath/.//button[text()="Clear my data"]');
    await popup.click('xpath/.//button[text()="Clear my data"]');
    await popup.waitForFunction(() =>
      /Cleared \d+ records/.test(document.querySelector('[role="status"]')?.textContent ?? ''),
    );
    const count = await b.worker.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const req = indexedDB.open('picklens');
          req.onsuccess = () => {
            const c = req.result.transaction('verdicts').objectStore('verdicts').count();
            c.onsuccess = () => resolve(c.result);
          };
        }),
    );
    expect(count).toBe(0);
    await popup.close();
  });
});

describe('every sample repo', () => {
  it('each tree page paints every model file with the verdict of its bytes', async () => {
    const { classify } = await import('../../lib/formats/classify');
    const { memorySource } = await import('../../lib/formats/bytes');
    const { sliceOf, sizeOf } = await import('../hub/repos');
    for (const spec of sampleRepos().filter(
      (r) => r.id !== 'picklens/fixtures' && (r.type ?? 'model') === 'model',
    )) {
      const files = new Map<string, import('../hub/repos').FileContent>();
      for (const c of spec.commits)
        for (const [p, content] of Object.entries(c.files)) if (content) files.set(p, content);
      const expectedRisks: Record<string, string> = {};
      for (const [p, content] of files) {
        if (!isModelFile(p, sizeOf(content))) continue;
        const bytes = sliceOf(content, 0, Math.min(sizeOf(content), 1 << 20));
        const local = await classify(
          { size: sizeOf(content), read: (s, e) => memorySource(bytes).read(s, e) },
          { name: p },
        );
        expectedRisks[p] = spec.gated ? 'unknown' : local.risk;
      }
      await page.goto(`https://huggingface.co/${spec.id}/tree/main`, { waitUntil: 'domcontentloaded' });
      expect(await settled(page, Object.keys(expectedRisks).length), spec.id).toEqual(expectedRisks);
    }
  });

  it('a tree visit alone records the repo’s conversion PRs', async () => {
    // The previous test visited every sample repo's tree once; pickle-only's open PR was fetched then.
    const keys = await b.worker.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const poll = () => {
            const req = indexedDB.open('picklens');
            req.onsuccess = () => {
              const all = req.result.transaction('pullRequests').objectStore('pullRequests').getAll();
              all.onsuccess = () => {
                const found = (all.result as { repoKey: string; num: number; status: string }[]).map(
                  (p) => `${p.repoKey}#${p.num}:${p.status}`,
                );
                if (found.some((k) => k.includes('pickle-only'))) resolve(found);
                else setTimeout(poll, 100);
              };
            };
          };
          poll();
        }),
    );
    expect(keys).toContain('model:picklens/pickle-only#1:open');
  });
});
