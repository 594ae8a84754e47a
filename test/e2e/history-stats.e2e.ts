// The popup's repo view, the stats page, batch collection and export/import, in Chromium with the built
// extension, against the replica reached as https://huggingface.co.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { main as study, type measuresOf } from '../../lib/cli/study';
import type { CommitRecord, PullRequestRecord } from '../../lib/db/schema';
import {
  convertedKeptPickles,
  formatSharesByYear,
  prStatesByYear,
  safetensorsAdditions,
  unknownByRealFormat,
  type PullRequestState,
} from '../../lib/stats/aggregates';
import { filterCommits, filterPrs, snapshotsOf, type StatsFilter } from '../../lib/stats/repo-view';
import { BROWSER_CDN, hubHostRules, launchWithExtension, type Launched } from '../support/browser';
import { Capture } from '../support/capture';
import { readFixtureManifest } from '../support/fixtures';
import { replicaFetch } from '../support/replica-client';
import { checkZip } from '../support/zip-check';
import { batchRepos, sampleRepos } from '../hub/sample-repos';
import { startReplica, type Replica } from '../hub/server';

let hub: Replica;
let b: Launched;
const downloads = mkdtempSync(join(tmpdir(), 'picklens-downloads-'));
const format = new Map(readFixtureManifest().map((r) => [r.file, r.format]));
const BATCH = batchRepos();

beforeAll(async () => {
  hub = await startReplica({
    repos: [...sampleRepos(), ...BATCH],
    cdnOrigin: BROWSER_CDN,
  });
  b = await launchWithExtension(hubHostRules(hub.port));
});
afterAll(async () => {
  await b?.close();
  await hub?.close();
  rmSync(downloads, { recursive: true, force: true });
});

const ext = (path: string) => `chrome-extension://${b.extensionId}/${path}`;

async function openPopup(repo: string): Promise<Page> {
  const page = await b.browser.newPage();
  await page.goto(ext(`popup.html?repo=${encodeURIComponent(repo)}`));
  return page;
}

/** Text of every cell of a table, row by row (header row excluded). */
function table(page: Page, name: string): Promise<string[][]> {
  return page.$$eval(`table[data-table="${name}"] tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
  );
}

/** Every record store, raw, from the extension's IndexedDB (in an extension page). */
function readStores(page: Page): Promise<Record<string, unknown[]>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown[]>>((resolve, reject) => {
        const open = indexedDB.open('picklens');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const db = open.result;
          const names = ['verdicts', 'files', 'repos', 'visits', 'pullRequests', 'commits'];
          const tx = db.transaction(names, 'readonly');
          const out: Record<string, unknown[]> = {};
          for (const n of names) {
            const keys = tx.objectStore(n).getAllKeys();
            const values = tx.objectStore(n).getAll();
            values.onsuccess = () => {
              out[n] = values.result
                .map((v: unknown, i: number) => [JSON.stringify(keys.result[i]), v] as const)
                .sort(([a], [c]) => (a < c ? -1 : 1))
                .map(([, v]) => v);
            };
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
          tx.onerror = () => reject(new Error(String(tx.error)));
        };
      }),
  );
}

describe('the popup on a repo', () => {
  it('collects a never-visited repo with progress: formats per commit, PR states, kept pickles', async () => {
    hub.knobs.latencyMs = 60; // long enough to see the progress
    const page = await openPopup('picklens/history');
    await page.waitForSelector('progress', { timeout: 10_000 });
    await page.waitForSelector('table[data-table="history"]', { timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('progress'), { timeout: 30_000 });
    hub.knobs.latencyMs = 0;
    const formats = await page.$$eval('table[data-table="history"] tbody tr td[data-formats]', (tds) =>
      tds.map((td) => (td as HTMLElement).dataset.formats?.split(' ').sort() ?? []),
    );
    const f = (file: string) => format.get(file) ?? '?';
    expect(formats).toEqual([
      [f('torch_legacy.bin')],
      [f('torch_state_dict.pt')],
      [f('plain.h5'), f('torch_state_dict.pt')].sort(),
      [f('model.safetensors'), f('plain.h5'), f('torch_state_dict.pt')].sort(),
      [f('model.safetensors'), f('plain.h5'), f('torch_whole_module.pt')].sort(),
    ]);
    const history = await table(page, 'history');
    expect(history.map((r) => r[1]?.replace(/^[0-9a-f]{7} /, ''))).toEqual([
      'Upload pytorch_model.bin',
      'Update pytorch_model.bin',
      'Add tf weights',
      'Adding `safetensors` variant of this model (#1)bot',
      'Update pytorch_model.bin',
    ]);
    const prs = await table(page, 'prs');
    expect(prs.map((r) => [r[0], r[1]])).toEqual([
      ['#1', 'merged'],
      ['#3', 'open'],
    ]);
    expect(prs[1]?.[2]).toMatch(/^opened (\d+ \w+|\d+\.\d years) ago$/);
    // The merged PR's history is the Hub's (when, by whom); the open one's is what this browser saw.
    expect(prs[0]?.[3]).toMatch(/^opened → merged \d+\.\d years ago by alice$/);
    expect(await page.$eval('td[data-pr-history] time', (t) => t.getAttribute('title'))).toBe(
      '2023-01-15 09:00 UTC',
    );
    expect(prs[1]?.[3]).toBe('open (seen today)');
    // Dates say how long ago; the exact day is each one's title.
    const titled = (sel: string) =>
      page.$eval(sel, (e) => ({
        text: e.textContent ?? '',
        days: [...e.querySelectorAll('time')].map((t) => t.getAttribute('title')?.slice(0, 10)),
      }));
    const kept = await titled('[data-finding="kept-pickles"]');
    expect(kept.days).toEqual(['2023-01-15']);
    expect(kept.text).toContain('pytorch_model.bin');
    expect((await titled('[data-finding="stale"]')).days[0]).toBe('2024-02-01');
    // Now: each file with the risk of this browser's own verdict.
    const now = Object.fromEntries(
      await page.$$eval('[data-section="now"] [data-risk]', (els) =>
        els.map(
          (e) => [(e as HTMLElement).dataset.path ?? '', (e as HTMLElement).dataset.risk ?? ''] as const,
        ),
      ),
    );
    const risk = new Map(readFixtureManifest().map((r) => [r.file, r.risk]));
    expect(now).toEqual({
      'model.safetensors': risk.get('model.safetensors'),
      'pytorch_model.bin': risk.get('torch_whole_module.pt'),
      'tf_model.h5': risk.get('plain.h5'),
    });
    const summary = await page.$eval('[data-section="summary"]', (e) => e.textContent ?? '');
    expect(summary).toMatch(
      /^7 commits on main, 5 commits changing model files; collected (today|\d+ \w+ ago)/,
    );
    await page.close();
  });

  it("names the code a repo's loaders run: auto_map to its .py files and to another repo's", async () => {
    const page = await openPopup('picklens/remote-code');
    await page.waitForSelector('[data-section="code"][aria-busy="false"]', { timeout: 20_000 });
    const findings = await page.$$eval('[data-section="code"] [data-finding]', (els) =>
      els.map((e) => [
        (e as HTMLElement).dataset.finding,
        e.classList.contains('danger'),
        e.textContent ?? '',
      ]),
    );
    expect(findings.map(([code, danger]) => [code, danger])).toEqual([
      ['repo-auto-map', false],
      ['repo-auto-map-remote', true],
      ['repo-python-files', false],
    ]);
    expect(findings[1]?.[2]).toContain('other-org/tokenizers/tokenization_tiny.py');
    await page.close();
    const plain = await openPopup('picklens/history');
    await plain.waitForSelector('[data-section="code"][aria-busy="false"]', { timeout: 20_000 });
    expect(await plain.$eval('[data-section="code"]', (e) => e.textContent ?? '')).toContain(
      'No Python files and no auto_map',
    );
    await plain.close();
  });

  it('works offline for a recorded repo; a failed refresh says so and keeps the record on screen', async () => {
    hub.knobs.unreachable = true;
    try {
      const page = await openPopup('https://huggingface.co/picklens/history/tree/main');
      await page.waitForSelector('table[data-table="history"] tbody tr');
      expect(await table(page, 'history')).toHaveLength(5);
      expect(await page.$('progress')).toBeNull(); // recorded less than an hour ago: nothing fetched
      await page.click('section button');
      await page.waitForSelector('[role="alert"]', { timeout: 30_000 });
      expect(await page.$eval('[role="alert"]', (e) => e.textContent ?? '')).toMatch(
        /Could not reach the Hub/,
      );
      await page.waitForFunction(() => !document.querySelector('progress'), { timeout: 30_000 });
      expect(await table(page, 'history')).toHaveLength(5);
      await page.close();
    } finally {
      hub.knobs.unreachable = false;
    }
  });

  it('a path longer than the popup wraps: the popup stays within 800 px; dates are relative, exact on hover', async () => {
    const page = await openPopup('picklens/long-names');
    await page.setViewport({ width: 800, height: 600 });
    await page.waitForSelector('table[data-table="history"] tbody tr', { timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('progress'), { timeout: 30_000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(800);
    const when = await page.$eval('table[data-table="history"] time', (t) => ({
      text: t.textContent,
      title: t.getAttribute('title'),
    }));
    expect(when.text).toMatch(/^(today|\d+ (days?|months?) ago|\d+\.\d years ago)$/);
    expect(when.title).toBe('2026-01-07 10:00 UTC');
    await page.close();
  });

  it('a repo that does not exist says so, in a plain sentence naming it (no API path)', async () => {
    const page = await openPopup('nobody/nothing-here');
    await page.waitForSelector('[role="alert"]', { timeout: 30_000 });
    const said = await page.$eval('[role="alert"]', (e) => e.textContent ?? '');
    expect(said).toContain('There is no repo nobody/nothing-here on the Hub, or it is private');
    expect(said).not.toMatch(/\/api\/|model:/);
    await page.close();
  });

  it('a pickle-only repo: its open PR, and no kept-pickle finding', async () => {
    const page = await openPopup('picklens/pickle-only');
    await page.waitForSelector('table[data-table="history"] tbody tr', { timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('progress'), { timeout: 30_000 });
    expect((await table(page, 'prs')).map((r) => r[1])).toEqual(['open']);
    expect(await page.$('[data-finding="kept-pickles"]')).toBeNull();
    // "Same model?": the button checks it now (from the keyboard): the legacy-format checkpoint and its
    // conversion agree.
    await page.waitForSelector('td[data-pr-verify] button');
    await page.focus('td[data-pr-verify] button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('td[data-pr-verify="equivalent"]', { timeout: 30_000 });
    expect(await page.$eval('td[data-pr-verify] span', (e) => e.textContent)).toMatch(
      /^verified equivalent · checked today/,
    );
    await page.close();
  });
});

describe('the stats page', () => {
  let page: Page;

  beforeAll(async () => {
    page = await b.browser.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    page.on('dialog', (d) => void d.accept());
    await page.goto(ext('stats.html'));
  });

  it('batch collection of 20 repos: progress, a reload half-way, and every repo collected', async () => {
    hub.knobs.latencyMs = 40;
    await page.type('#batch-ids', BATCH.map((r) => `https://huggingface.co/${r.id}`).join('\n'));
    await page.click('xpath/.//button[starts-with(text(), "Start")]');
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>('[data-batch-done]')?.dataset.batchDone) >= 4,
      { timeout: 60_000 },
    );
    const before = Number(await page.$eval('[data-batch-done]', (e) => (e as HTMLElement).dataset.batchDone));
    expect(before).toBeLessThan(20);
    await page.reload();
    await page.waitForSelector('[data-batch-state]');
    const after = await page.$eval('[data-batch-state]', (e) => ({ ...(e as HTMLElement).dataset }));
    expect(after.batchTotal).toBe('20');
    expect(Number(after.batchDone)).toBeGreaterThanOrEqual(before);
    expect(after.batchState).toBe('running');
    await page.waitForSelector('[data-batch-state="done"]', { timeout: 120_000 });
    hub.knobs.latencyMs = 0;
    // The figures follow without a reload: the 20 repos and the 4 the popup collected.
    await page.waitForFunction(
      () =>
        document.querySelector('[data-section="totals"]')?.textContent?.startsWith('24 repos with a history'),
      { timeout: 10_000 },
    );
    expect(await page.$eval('[data-batch-state]', (e) => (e as HTMLElement).dataset.batchDone)).toBe('20');
    expect(await page.$('table[data-table="batch-errors"]')).toBeNull();
    const stores = await readStores(page);
    const repos = stores.repos as { id: string; history?: { commits: number } }[];
    for (const r of BATCH) expect(repos.find((x) => x.id === r.id)?.history?.commits, r.id).toBe(3);
  });

  async function expectTablesEqualLibStats(filter: StatsFilter): Promise<void> {
    // The page's reading of a date range (lib/stats studyStats): histories up to `to`, rows from `from` on.
    const stores = await readStores(page);
    const snaps = snapshotsOf(
      filterCommits(stores.commits as CommitRecord[], { ...filter, from: undefined }),
    );
    const prs = filterPrs(stores.pullRequests as (PullRequestRecord & PullRequestState)[], filter);
    const from = filter.from ?? '';
    const shares = formatSharesByYear(snaps).filter((y) => y.year >= from.slice(0, 4));
    const header = await page.$$eval('table[data-table="shares"] thead th', (ths) =>
      ths.map((t) => t.textContent ?? ''),
    );
    const labels = header.slice(2);
    expect(await table(page, 'shares')).toEqual(
      shares.map((y) => [
        y.year,
        String(y.repos),
        ...labels.map((l) => String(y.counts[l as 'pickle'] ?? 0)),
      ]),
    );
    // Every label present in the data has its column.
    expect(new Set(labels)).toEqual(new Set(shares.flatMap((y) => Object.keys(y.counts))));
    expect(await table(page, 'adoption')).toEqual(
      safetensorsAdditions(snaps)
        .filter((p) => p.month >= from.slice(0, 7))
        .map((p) => [p.month, String(p.bot), String(p.other)]),
    );
    expect(await table(page, 'prs')).toEqual(
      prStatesByYear(prs).map((y) => [y.year, ...[y.open, y.merged, y.closed, y.draft].map(String)]),
    );
    // What R1–R5 call unknown, by the bytes: from the commit records themselves (their real formats).
    const unknown = unknownByRealFormat(
      filterCommits(stores.commits as CommitRecord[], { ...filter, from: undefined }),
    );
    expect(await table(page, 'unknown-formats')).toEqual(
      unknown.length
        ? unknown.map((u) => [
            u.format === 'unread' ? 'not read' : u.format,
            String(u.repos),
            String(u.files),
          ])
        : [['None: every model file recorded has an R1–R5 label.']],
    );
    const kept = convertedKeptPickles(snaps);
    expect((await table(page, 'kept'))[0]?.slice(0, 2)).toEqual([
      String(kept.converted),
      String(kept.keptPickles),
    ]);
  }

  it('its tables equal lib/stats over the recorded data, with and without filters', async () => {
    await page.reload();
    await page.waitForSelector('table[data-table="shares"] tbody tr');
    await expectTablesEqualLibStats({});
    const shares = await table(page, 'shares');
    expect(shares.length).toBeGreaterThanOrEqual(2); // 2022, 2023, 2024 in the replica's histories
    const prs = await table(page, 'prs');
    expect(prs.reduce((n, r) => n + r.slice(1).reduce((m, c) => m + Number(c), 0), 0)).toBe(20 + 2 + 1);

    await page.type('input[name="owner"]', 'BATCH');
    await page.$eval('input[name="from"]', (e: HTMLInputElement) => {
      e.value = '2023-01-01';
      e.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(
      () =>
        !document.querySelector('table[data-table="shares"] tbody tr td')?.textContent?.startsWith('2022'),
    );
    await expectTablesEqualLibStats({ owner: 'BATCH', from: '2023-01-01' });
  });

  it('export → clear → import restores identical records, field by field', async () => {
    await page.reload();
    await page.waitForSelector('table[data-table="shares"]');
    const before = await readStores(page);
    expect((before.commits ?? []).length).toBeGreaterThan(60);
    await page.click('xpath/.//button[starts-with(text(), "Export")]');
    await page.waitForFunction(() => document.body.dataset.exportMs !== undefined, { timeout: 30_000 });
    // The download is complete when the file holds the bytes the page says it wrote.
    const bytes = Number(await page.evaluate(() => document.body.dataset.exportBytes));
    let zip: string | undefined;
    for (let i = 0; i < 100; i++) {
      zip = readdirSync(downloads).find((f) => f.endsWith('.zip'));
      if (zip && statSync(join(downloads, zip)).size === bytes) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(zip).toMatch(/^picklens-export-\d{4}-\d{2}-\d{2}\.zip$/);
    // The page's zip (its JSON member deflated in a worker): every member's CRC and size right.
    const members = checkZip(new Uint8Array(readFileSync(join(downloads, zip!))));
    expect(members.map((m) => [m.name, m.ok])).toEqual(
      ['README.txt', 'commits.csv', 'pull_requests.csv', 'repos.csv', 'picklens.json'].map((n) => [n, true]),
    );

    await page.click('xpath/.//button[text()="Clear my data"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.startsWith('Cleared'),
    );
    const cleared = await readStores(page);
    for (const s of Object.keys(before)) expect(cleared[s], s).toEqual([]);

    const input = await page.$('input[name="import"]');
    await input!.uploadFile(join(downloads, zip!));
    await page.waitForFunction(
      () => document.querySelector('[data-status]')?.textContent?.startsWith('Imported'),
      {
        timeout: 30_000,
      },
    );
    expect(await readStores(page)).toEqual(before);
    // The page shows the restored data again.
    await page.waitForSelector('table[data-table="shares"] tbody tr');

    // A second import of the same file changes nothing.
    await input!.uploadFile(join(downloads, zip!));
    await page.waitForFunction(
      () => (document.querySelector('[data-status]')?.textContent?.match(/\+0/g) ?? []).length === 6,
      { timeout: 30_000 },
    );
    expect(await readStores(page)).toEqual(before);

    // The restored history shows, but no risk is shown as read here from imported verdicts.
    const popup = await openPopup('picklens/history');
    await popup.waitForSelector('[data-section="now"] [data-risk]');
    expect(
      await popup.$$eval('[data-section="now"] [data-risk]', (els) =>
        els.map((e) => (e as HTMLElement).dataset.risk),
      ),
    ).toEqual(['not-read-here', 'not-read-here', 'not-read-here']);
    expect(await table(popup, 'history')).toHaveLength(5);
    await popup.close();
  });

  it("npm run study's export, imported here: the study's measures on this page are the ones it printed", async () => {
    const out = mkdtempSync(join(tmpdir(), 'picklens-study-'));
    const printed = new Capture();
    // The replica's sample repos and a batch of 50 (the acceptance), collected by `npm run study`.
    const batch50 = batchRepos(50);
    // A dataset and a Space given as their page URLs, as a user pastes them.
    const ids = [...sampleRepos(), ...batch50].map((r) =>
      r.type && r.type !== 'model' ? `https://huggingface.co/${r.type}s/${r.id}` : r.id,
    );
    // From Node, a replica of the same repos whose CDN host Node can reach (the browser's is mapped by
    // Chromium's host rules only).
    const node = await startReplica({ repos: [...sampleRepos(), ...batch50] });
    const progress = new Capture();
    const code = await study(
      [...ids, '--endpoint', node.url, '--out', out, '--json'],
      printed,
      progress,
      replicaFetch(node.cert),
    ).finally(() => node.close());
    expect(code, progress.text).toBe(0);
    const m = JSON.parse(printed.text) as Awaited<ReturnType<typeof measuresOf>>;
    expect(m.repos).toBe(ids.length);
    await page.click('xpath/.//button[text()="Clear my data"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.startsWith('Cleared'),
    );
    // Nothing recorded: the figures say so instead of drawing empty axes.
    await page.waitForSelector('[data-figure="fig6-shares"] [data-empty]');
    const input = await page.$('input[name="import"]');
    await input!.uploadFile(join(out, 'picklens-export.zip'));
    await page.waitForFunction(
      () => document.querySelector('[data-status]')?.textContent?.startsWith('Imported'),
      { timeout: 30_000 },
    );
    await page.waitForSelector('table[data-table="study-measures"]');
    const shown: Record<string, string> = await page.$$eval(
      'table[data-table="study-measures"] tr[data-measure]',
      (rows) =>
        Object.fromEntries(
          rows.map((r) => [
            (r as HTMLElement).dataset.measure ?? '',
            r.querySelector('[data-value]')?.textContent ?? '',
          ]),
        ),
    );
    const pc = (a: number, b: number) => `${(b ? (100 * a) / b : 0).toFixed(1)}%`;
    // Time to adoption is Picklens's (the study gives no number): its shape here, its value in study.test.ts.
    const t = m.picklens.timeToAdoption;
    const by = m.picklens.mergedBy;
    expect(shown).toEqual({
      safetensorsCommits: `${m.safetensorsCommits.converter} of ${m.safetensorsCommits.total} (${pc(m.safetensorsCommits.converter, m.safetensorsCommits.total)})`,
      timeToAdoption: `first ${t.first}, median ${t.median}, 80% by ${t.p80}`,
      keptPytorchModelBin: `${m.keptPickles.keptPytorchModelBin} of ${m.keptPickles.convertedRepos} (${pc(m.keptPickles.keptPytorchModelBin, m.keptPickles.convertedRepos)})`,
      prsOpen: `${m.pullRequests.open} of ${m.pullRequests.total} (${pc(m.pullRequests.open, m.pullRequests.total)})`,
      prsMerged: `${m.pullRequests.merged} of ${m.pullRequests.total} (${pc(m.pullRequests.merged, m.pullRequests.total)})`,
    });
    // Who merged them, beside the study's share: from the Hub's `isHf` on each merge event.
    expect(await page.$eval('tr[data-measure="prsMerged"] td:last-child', (td) => td.textContent)).toBe(
      `by Hub staff ${by.staff}, by others ${by.others}, not known ${by.unknown}`,
    );
    // Each figure says its n and the study's value.
    const ns = await page.$$eval('[data-figure] [data-n]', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(ns.length).toBeGreaterThanOrEqual(6);
    for (const n of ns) expect(n).toMatch(/^n = .+ · the study: .+/);
    const shares = await page.$$eval('table[data-table="study-shares"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(shares).toEqual(
      m.yearlyShares.map((y) => [
        String(y.year),
        String(y.files),
        ...Object.values(y.percent).map((v) => (y.files ? v.toFixed(1) : '—')),
      ]),
    );
    // Fig. 6 drawn by Plot: a bar per year and class with a tooltip, a legend of the seven classes, downloads.
    await page.waitForSelector('[data-figure="fig6-shares"] svg');
    const fig6 = await page.$eval('[data-figure="fig6-shares"]', (f) => ({
      bars: f.querySelectorAll('svg rect title').length,
      legend: f.textContent ?? '',
      buttons: [...f.querySelectorAll('button')].map((x) => x.textContent),
    }));
    expect(fig6.bars).toBe(m.yearlyShares.length * 7);
    for (const c of ['ONNX', 'h5/hdf5', 'joblib', 'numpy', 'pickle', 'safetensors', 'torch.save'])
      expect(fig6.legend).toContain(c);
    expect(fig6.buttons).toEqual(['SVG', 'PNG']);
    expect(
      await page.$$eval('[data-figure="fig7-pr-states"] svg rect title', (t) => t.length),
    ).toBeGreaterThan(0);
    // Figs. 4 and 5: a calendar cell per day with a commit adding safetensors; a dot per day and kind of author.
    const cells = await page.$$eval('[data-figure="fig4-calendar"] svg rect title', (t) => t.length);
    const dots = await page.$$eval('[data-figure="fig5-daily"] svg circle title', (t) => t.length);
    expect(cells).toBeGreaterThan(0);
    expect(dots).toBeGreaterThanOrEqual(cells);
    expect(m.safetensorsCommits.total).toBeGreaterThanOrEqual(dots);
    // The table behind them (its rows made when opened, by keyboard here): every commit adding safetensors
    // counted once, by day.
    await page.focus('[data-section="study-measures"] details > summary');
    await page.keyboard.press('Enter');
    await page.waitForSelector('table[data-table="study-days"] tbody tr');
    const perDay = await page.$$eval('table[data-table="study-days"] tbody tr', (rows) =>
      rows.map((r) =>
        [...r.querySelectorAll('td')].slice(1).reduce((n, td) => n + Number(td.textContent), 0),
      ),
    );
    expect(perDay.reduce((a, b) => a + b, 0)).toBe(m.safetensorsCommits.total);
    expect(perDay).toHaveLength(cells);
    // Beyond R1–R5: the fixtures repo's GGUF and ONNX files, and pickles in files with no pickle header
    // where R5 looks, which the study's labels call unknown.
    const formats = (await table(page, 'unknown-formats')).map((r) => r[0]);
    expect(formats).toEqual(expect.arrayContaining(['gguf', 'onnx', 'pickle']));
    expect(formats).not.toContain('keras'); // a .keras zip: R4 calls it torch.save (the caption says so)
    // Over 30 repos no small-n warning; filtered to one owner's few repos, the table and every figure say it.
    expect(await page.$('[data-small-n]')).toBeNull();
    await page.type('input[name="owner"]', 'picklens');
    await page.waitForSelector('[data-section="study-measures"] > [data-small-n]');
    expect(
      await page.$$eval('[data-figure] [data-small-n]', (ps) => ps.map((p) => p.textContent)),
    ).toHaveLength(await page.$$eval('[data-figure]:not(:has([data-empty]))', (f) => f.length));
    rmSync(out, { recursive: true, force: true });
  });

  it('a batch of 500 lines, 100 malformed: refused before any call, removed in one click; waits shown with the time left; the page stays usable', async () => {
    await page.goto(ext('stats.html'));
    await page.waitForSelector('#batch-ids');
    // 400 ids (20 that exist, 380 that do not) with 100 malformed lines among them.
    const junk = ['this is not a repo', '???', 'https://example.com/x/y', '-bad-/name!', 'org/ name'];
    const lines = Array.from({ length: 500 }, (_, i) =>
      i % 5 === 4
        ? (junk[((i - 4) / 5) % junk.length] ?? '???')
        : i < 20
          ? (BATCH[i]?.id ?? '')
          : `someone/model-${i}`,
    );
    hub.log.length = 0;
    // Pasted (not typed key by key): set the value and fire the input event, as a paste does.
    await page.$eval(
      '#batch-ids',
      (t, v) => {
        (t as HTMLTextAreaElement).value = v;
        t.dispatchEvent(new Event('input', { bubbles: true }));
      },
      lines.join('\n'),
    );
    await page.waitForSelector('[data-batch-invalid="100"]');
    const alert = await page.$eval('[data-batch-invalid]', (e) => e.textContent ?? '');
    expect(alert).toContain('100 lines are not a repo id');
    expect(alert).toContain('line 5: this is not a repo');
    expect(
      await page.$eval(
        'xpath/.//button[starts-with(text(), "Start")]',
        (x) => (x as HTMLButtonElement).disabled,
      ),
    ).toBe(true);
    expect(hub.log.filter((l) => l.path.startsWith('/api/'))).toEqual([]); // nothing fetched
    await page.click('xpath/.//button[starts-with(text(), "Remove")]');
    await page.waitForFunction(() => !document.querySelector('[data-batch-invalid]'));
    expect(await page.$eval('xpath/.//button[starts-with(text(), "Start")]', (x) => x.textContent)).toBe(
      'Start (400 repos)',
    );
    // The Hub asks to wait: the progress says so, with the seconds left.
    hub.knobs.retryAfterSeconds = 4;
    hub.knobs.fail429Next = 2;
    await page.click('xpath/.//button[starts-with(text(), "Start")]');
    await page.waitForFunction(
      () => {
        const t = document.querySelector('[data-batch-state]')?.textContent ?? '';
        return /rate limited.*\d+ s left/.test(t) && !/\/api\//.test(t);
      },
      { timeout: 20_000 },
    );
    // The page stays usable meanwhile: the filters take input, the export button is enabled.
    await page.type('input[name="owner"]', 'someone');
    expect(await page.$eval('input[name="owner"]', (e) => e.value)).toBe('someone');
    expect(
      await page.$eval(
        'xpath/.//button[starts-with(text(), "Export")]',
        (x) => (x as HTMLButtonElement).disabled,
      ),
    ).toBe(false);
    // Repos that do not exist fail in plain words naming them; past 10 the list is folded.
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>('[data-batch-errors]')?.dataset.batchErrors) > 10,
      { timeout: 60_000 },
    );
    const errors = await page.$eval('[data-batch-errors]', (d) => ({
      open: (d as HTMLDetailsElement).open,
      first: d.querySelector('tbody tr')?.textContent ?? '',
    }));
    expect(errors.open).toBe(false);
    expect(errors.first).toMatch(/^someone\/model-\d+There is no repo someone\/model-\d+ on the Hub/);
    expect(errors.first).not.toMatch(/\/api\/|model:/);
    await page.click('xpath/.//button[text()="Pause"]');
    await page.waitForSelector('[data-batch-state="paused"]');
    hub.knobs.retryAfterSeconds = 1;
  }, 120_000);

  it('keyboard: Tab reaches every control of the stats page, the popup and the options page', async () => {
    /** Tabs through a page; the controls that never got focus (visible, enabled ones only). */
    const unreached = async (p: Page): Promise<string[]> => {
      const total = await p.evaluate(() => {
        const all = [
          ...document.querySelectorAll<HTMLElement>(
            'button, input, select, textarea, a[href], summary, [tabindex="0"]',
          ),
          // Shown (not in a closed <details>, not hidden) and enabled: what a user could reach.
        ].filter(
          (e) => e.checkVisibility({ visibilityProperty: true }) && !(e as HTMLButtonElement).disabled,
        );
        all.forEach((e, i) => (e.dataset.kbd = String(i)));
        return all.length;
      });
      const seen = new Set<string>();
      for (let i = 0; i < total * 2 + 10 && seen.size < total; i++) {
        await p.keyboard.press('Tab');
        const k = await p.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbd);
        if (k !== undefined) seen.add(k);
      }
      return p.$$eval(
        '[data-kbd]',
        (els, got) =>
          els
            .filter((e) => !got.includes((e as HTMLElement).dataset.kbd ?? ''))
            .map((e) => `${e.tagName} ${e.textContent?.slice(0, 30) ?? ''}`),
        [...seen],
      );
    };
    await page.goto(ext('stats.html'));
    await page.waitForSelector('[data-figure] svg');
    expect(await unreached(page)).toEqual([]);
    const popup = await openPopup('picklens/history');
    await popup.waitForSelector('table[data-table="history"] tbody tr');
    expect(await unreached(popup)).toEqual([]);
    await popup.goto(ext('options.html'));
    await popup.waitForSelector('input[name="treeBadges"]');
    expect(await unreached(popup)).toEqual([]);
    await popup.close();
  }, 120_000);
});
