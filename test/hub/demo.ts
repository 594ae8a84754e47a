// `npm run demo [-- --headless --screenshot DIR [--only NAME,…]]`: builds the extension, starts the local Hub
// replica with the sample repos (safe-only, pickle-only, dangerous, mixed with an open SFconvertbot PR, gated,
// and the conversion PRs of test/fixtures/conversion, the 1 GB pair among them), and opens
// Chromium with the extension at a sample repo. With --headless --screenshot DIR it visits each page type
// and writes screenshots there instead (for machines without a display).
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer';
import { BROWSER_CDN, hubHostRules, launchWithExtension } from '../support/browser';
import { hydrated, scrollTreeToEnd } from '../support/hub-page';
import { benchConversionRepo, conversionRepos } from './conversion-repos';
import { batchRepos, sampleRepos } from './sample-repos';
import { startReplica } from './server';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const shots = arg('--screenshot');
const headless = process.argv.includes('--headless') || Boolean(shots) || !process.env.DISPLAY;

execSync('npx wxt build', { stdio: 'inherit' });
const hub = await startReplica({
  repos: [...sampleRepos(), ...batchRepos(), ...conversionRepos(), benchConversionRepo()],
  cdnOrigin: BROWSER_CDN,
  knobs: { pageSize: 20 },
});
const rules = hubHostRules(hub.port);
const b = await launchWithExtension(rules, headless);
const page = await b.browser.newPage();
await page.setViewport({ width: 1280, height: 860 });

/** A conversion PR's page once its check is done, the panel in view. */
async function verified(p: Page): Promise<void> {
  await p.waitForFunction(
    () =>
      document.querySelector<HTMLElement>('section.picklens-verify')?.dataset.picklensVerify !== 'pending',
    { timeout: 30_000, polling: 100 },
  );
}

/** After the replica's last hydration pass (it removes what Picklens painted), once everything is read. */
async function settle(p: Page): Promise<void> {
  await hydrated(p).catch(() => undefined);
  await p
    .waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLElement>('.picklens-badge')].every(
          (e) => e.dataset.picklensRisk !== 'pending',
        ) && !document.querySelector('.picklens-chip[data-picklens-chip="pending"]'),
      { timeout: 20_000, polling: 100 },
    )
    .catch(() => undefined);
}

if (shots) {
  const dir = resolve(shots);
  mkdirSync(dir, { recursive: true });
  const pages: [string, string, ((p: Page) => Promise<void>)?][] = [
    [
      'tree-fixtures',
      '/picklens/fixtures/tree/main',
      (p) => p.focus('.picklens-badge[data-picklens-path="hidden_in_txt.zip"]'),
    ],
    [
      'tree-dangerous',
      '/picklens/dangerous/tree/main',
      (p) => p.focus('.picklens-badge[data-picklens-path="model.safetensors"]'),
    ],
    ['repo-mixed-open-pr', '/picklens/history'],
    ['repo-pickle-only', '/picklens/pickle-only'],
    ['blob-dangerous', '/picklens/dangerous/blob/main/scaler.pkl'],
    ['pr-page', '/picklens/history/discussions/3'],
    ['discussions', '/picklens/history/discussions'],
    ['pr-verified', '/conversion/tied/discussions/1', verified],
    ['pr-differs', '/conversion/tie-undeclared/discussions/1', verified],
    [
      'repo-pr-waiting',
      '/conversion/sharded',
      (p) => p.waitForSelector('[data-picklens-pr-verify="equivalent"]').then(() => undefined),
    ],
    ['tree-gated', '/picklens/gated/tree/main', (p) => p.focus('.picklens-badge')],
    [
      'tree-scrolled',
      '/picklens/long-tree/tree/main',
      async (p) => {
        await scrollTreeToEnd(p);
        await settle(p);
        await p.focus('.picklens-badge[data-picklens-path="zz-checkpoint"]');
      },
    ],
  ];
  /** Each figure of the stats page on its own, with its caption, n and the study's value. */
  const figureShots = async (p: Page, suffix: string) => {
    await p.waitForSelector('[data-figure] svg');
    for (const fig of await p.$$('[data-figure]')) {
      const id = await fig.evaluate((f) => (f as HTMLElement).dataset.figure ?? '');
      const file = join(dir, `figure-${id}${suffix}.png`);
      await fig.screenshot({ path: file });
      console.log(`wrote ${file}`);
    }
  };
  // `--matrix`: every page type at 360, 800 and 1280 px, light and dark (docs/screenshots/matrix/*.jpg), then
  // nothing else.
  if (process.argv.includes('--matrix')) {
    const ext = (path: string) => `chrome-extension://${b.extensionId}/${path}`;
    const kinds: [string, string, ((p: Page) => Promise<void>)?][] = [
      ['tree', 'https://huggingface.co/picklens/dangerous/tree/main', (p) => p.focus('.picklens-badge')],
      ['repo', 'https://huggingface.co/picklens/history'],
      ['blob', 'https://huggingface.co/picklens/dangerous/blob/main/scaler.pkl'],
      ['pr', 'https://huggingface.co/conversion/tied/discussions/1', verified],
      ['discussions', 'https://huggingface.co/picklens/history/discussions'],
      [
        'popup',
        ext('popup.html?repo=picklens/history'),
        (p) => p.waitForSelector('table[data-table="history"]', { timeout: 30_000 }).then(() => undefined),
      ],
      ['stats', ext('stats.html'), (p) => p.waitForSelector('[data-section]').then(() => undefined)],
      [
        'options',
        ext('options.html'),
        (p) => p.waitForSelector('input[name="treeBadges"]').then(() => undefined),
      ],
      [
        'help',
        ext('help.html#risk-dangerous'),
        (p) => p.waitForSelector('[data-risk]').then(() => undefined),
      ],
    ];
    mkdirSync(join(dir, 'matrix'), { recursive: true });
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
      for (const width of [360, 800, 1280]) {
        await page.setViewport({ width, height: 800 });
        for (const [kind, url, then] of kinds) {
          await page.goto(url, { waitUntil: 'domcontentloaded' });
          await settle(page);
          await then?.(page).catch(() => undefined);
          const file = join(dir, 'matrix', `${kind}-${width}-${theme}.jpg`);
          await page.screenshot({ path: file, type: 'jpeg', quality: 70 });
          console.log(`wrote ${file}`);
        }
      }
    }
    await b.close();
    await hub.close();
    process.exit(0);
  }
  // `--only a,b`: just those screenshots (`stats`: the extension's pages) (the others stay as they are).
  const only = arg('--only')?.split(',');
  for (const [name, path, then] of pages.filter(([n]) => !only || only.includes(n))) {
    await page.goto(`https://huggingface.co${path}`, { waitUntil: 'domcontentloaded' });
    await settle(page);
    await then?.(page).catch(() => undefined);
    const file = join(dir, `${name}.png`);
    await page.screenshot({ path: file });
    console.log(`wrote ${file}`);
  }
  // The extension's own pages: the popup's repo view, then the stats page after a batch collection.
  const ext = (path: string) => `chrome-extension://${b.extensionId}/${path}`;
  if (only && !only.includes('stats')) {
    await b.close();
    await hub.close();
    process.exit(0);
  }
  await page.setViewport({ width: 560, height: 1000 });
  await page.goto(ext('popup.html?repo=picklens/history'));
  await page.waitForSelector('table[data-table="history"]', { timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('progress'), { timeout: 30_000 });
  await page.screenshot({ path: join(dir, 'popup-history.png'), fullPage: true });
  console.log(`wrote ${join(dir, 'popup-history.png')}`);
  await page.setViewport({ width: 1100, height: 900 });
  await page.goto(ext('stats.html'));
  await page.waitForSelector('#batch-ids');
  const ids = [
    'picklens/history',
    'picklens/pickle-only',
    'picklens/fixtures',
    ...batchRepos().map((r) => r.id),
  ];
  await page.type('#batch-ids', ids.join('\n'));
  await page.click('xpath/.//button[starts-with(text(), "Start")]');
  await page.waitForSelector('[data-batch-state="done"]', { timeout: 120_000 });
  await page.reload();
  await page.waitForSelector('table[data-table="shares"] tbody tr');
  await page.screenshot({ path: join(dir, 'stats.png'), fullPage: true });
  console.log(`wrote ${join(dir, 'stats.png')}`);
  await figureShots(page, '');
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.reload();
  await page.waitForSelector('[data-figure="fig6-shares"] svg');
  await page.screenshot({ path: join(dir, 'stats-dark.png'), fullPage: true });
  console.log(`wrote ${join(dir, 'stats-dark.png')}`);
  await figureShots(page, '-dark');
  await page.setViewport({ width: 560, height: 1000 });
  await page.goto(ext('popup.html?repo=picklens/history'));
  await page.waitForSelector('table[data-table="history"]');
  await page.screenshot({ path: join(dir, 'popup-history-dark.png'), fullPage: true });
  console.log(`wrote ${join(dir, 'popup-history-dark.png')}`);
  await b.close();
  await hub.close();
} else if (headless) {
  // No display: the same job, said in text. The extension reads a sample repo's files on its tree page, as a
  // user would see them, and the badges' verdicts are printed.
  for (const id of ['picklens/dangerous', 'picklens/history']) {
    await page.goto(`https://huggingface.co/${id}/tree/main`, { waitUntil: 'domcontentloaded' });
    await settle(page);
    const chip = await page.$eval('.picklens-chip', (c) => c.textContent ?? '').catch(() => '');
    console.log(`\nhttps://huggingface.co/${id} — ${chip}`);
    const rows: [string, string, string, string][] = await page.$$eval('.picklens-badge', (bs) =>
      bs.map((x): [string, string, string, string] => [
        (x as HTMLElement).dataset.picklensPath ?? '',
        (x as HTMLElement).dataset.picklensRisk ?? '',
        (x as HTMLElement).dataset.picklensFormat ?? '',
        x.querySelector('.picklens-todo .picklens-item')?.textContent ?? '',
      ]),
    );
    for (const [path, risk, format, todo] of rows)
      console.log(`  ${path.padEnd(24)} ${risk.padEnd(10)} ${format.padEnd(12)} ${todo}`);
  }
  console.log(
    '\n(no display: Chromium ran headless. With a display, `npm run demo` opens it on the replica; `--screenshot DIR` writes each page type.)',
  );
  await b.close();
  await hub.close();
} else {
  await page.goto('https://huggingface.co/picklens/history', { waitUntil: 'domcontentloaded' });
  console.log(
    `Chromium is open at https://huggingface.co/picklens/history (the replica at ${hub.url}). The stats page is chrome-extension://${b.extensionId}/stats.html. Close it to stop.`,
  );
  b.browser.on('disconnected', () => void hub.close().then(() => process.exit(0)));
}
