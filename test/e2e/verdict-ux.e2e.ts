// What a user sees in a verdict, in Chromium on the rough replica: the risk word and icon first, then what
// to do; each import once; one panel at a time, always on screen; "Learn more" opens the help page at the
// finding; the reports copy; the toolbar icon counts the page's dangerous files; the Hub's own scan button
// keeps its place and its single line at 360, 800 and 1280 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { BROWSER_CDN, hubHostRules, launchWithExtension, type Launched } from '../support/browser';
import { badgesSettle, expectedRisks, hydrated, specOf } from '../support/hub-page';
import { sampleRepos } from '../hub/sample-repos';
import { startReplica, type Replica } from '../hub/server';

let hub: Replica;
let b: Launched;
let page: Page;
const samples = sampleRepos();
const spec = (id: string) => specOf(samples, id);

beforeAll(async () => {
  hub = await startReplica({ repos: samples, cdnOrigin: BROWSER_CDN });
  b = await launchWithExtension(hubHostRules(hub.port));
  page = await b.browser.newPage();
  await b.browser
    .defaultBrowserContext()
    .overridePermissions('https://huggingface.co', ['clipboard-read', 'clipboard-write']);
});
afterAll(async () => {
  await b?.close();
  await hub?.close();
});

async function fixturesTree(width = 1280): Promise<void> {
  await page.setViewport({ width, height: 800 });
  await page.goto('https://huggingface.co/picklens/fixtures/tree/main', { waitUntil: 'domcontentloaded' });
  await hydrated(page);
  await badgesSettle(page, await expectedRisks(spec('picklens/fixtures'), ''));
}

const badge = (path: string) => `.picklens-badge[data-picklens-path="${path}"]`;

/** Every panel shown now, with its text and where it is. */
function shownPanels(p: Page) {
  return p.$$eval('.picklens-panel:not([hidden])', (ps) =>
    ps.map((x) => {
      const r = x.getBoundingClientRect();
      return {
        text: x.textContent ?? '',
        top: r.top,
        bottom: r.bottom,
        left: r.left,
        right: r.right,
        items: [...x.querySelectorAll('.picklens-item')].map((i) => i.textContent ?? ''),
      };
    }),
  );
}

describe('a verdict says what to do', () => {
  it('the risk word and icon first, then what to do; each import once; by keyboard', async () => {
    await fixturesTree();
    await page.focus(badge('torch_malicious.pt'));
    const [panel] = await shownPanels(page);
    expect(panel?.text.startsWith('✖ Dangerous')).toBe(true);
    expect(panel?.text).toContain('What to do');
    expect(panel?.text).toContain('Do not load it: it calls posix.system');
    expect(panel?.text).toContain('torch.load("torch_malicious.pt", weights_only=True)  # refuses it');
    // The repo has a real safetensors file: the panel says to use it instead.
    expect(panel?.text).toContain("Use the repo's safetensors file instead: model.safetensors.");
    // posix.system once among the listed imports and findings (no finding repeating the import line).
    const lines = (panel?.items ?? []).filter((i) => i.includes('posix.system'));
    expect(lines.filter((i) => !i.startsWith('Do not load') && !i.includes('weights_only'))).toHaveLength(1);
    // The badge itself leads with the icon and the word.
    expect(
      await page.$eval(badge('torch_malicious.pt'), (e) =>
        [...e.querySelectorAll(':scope > span')].map((s) => s.textContent),
      ),
    ).toEqual(['✖', 'dangerous', '· torch-zip']);
  });

  it('formats get their own advice: numpy, Keras, safetensors, a legacy torch checkpoint', async () => {
    const said: Record<string, string> = {};
    for (const f of [
      'numeric.npy',
      'object.npy',
      'lambda.keras',
      'model.safetensors',
      'torch_state_dict.pt',
    ]) {
      await page.focus(badge(f));
      said[f] = (await shownPanels(page))[0]?.text ?? '';
    }
    expect(said['numeric.npy']).toContain('numpy.load("numeric.npy", allow_pickle=False)');
    expect(said['object.npy']).toContain('only with allow_pickle=True');
    expect(said['lambda.keras']).toContain('keras.saving.load_model("lambda.keras", safe_mode=True)');
    expect(said['model.safetensors']).toContain('safetensors.torch.load_file("model.safetensors")');
    expect(said['torch_state_dict.pt']).toContain('would load it');
  });

  it('one panel at a time: hovering one badge closes the one opened by focus', async () => {
    await page.focus(badge('os_system.pkl'));
    await page.hover(badge('relu.onnx'));
    const shown = await shownPanels(page);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.text).toContain('relu.onnx');
  });

  it('a panel near the bottom of the window opens above its badge, inside the window, at 360 px too', async () => {
    for (const width of [1280, 360]) {
      await fixturesTree(width);
      // The last badge, scrolled to the window's bottom edge.
      const last = await page.$$eval(
        '.picklens-badge',
        (bs) => (bs[bs.length - 1] as HTMLElement).dataset.picklensPath,
      );
      await page.$eval(badge(last ?? ''), (e) => e.scrollIntoView({ block: 'end' }));
      await page.focus(badge(last ?? ''));
      const [p] = await shownPanels(page);
      const view = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
      expect(p, `width ${width}`).toBeDefined();
      expect(p!.top).toBeGreaterThanOrEqual(0);
      expect(p!.bottom).toBeLessThanOrEqual(view.h);
      expect(p!.left).toBeGreaterThanOrEqual(0);
      expect(p!.right).toBeLessThanOrEqual(view.w);
    }
  });

  it('"Learn more" opens the help page at the finding; Escape closes the panel', async () => {
    await fixturesTree();
    await page.focus(badge('pickle_named.safetensors'));
    const opened = new Promise<string>((resolve) => b.browser.once('targetcreated', (t) => resolve(t.url())));
    await page.keyboard.press('Tab'); // into the panel: its first button
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Learn more');
    await page.keyboard.press('Enter');
    const url = await opened;
    expect(url).toMatch(/^chrome-extension:\/\/[a-z]+\/help\.html#finding-[a-z-]+$/);
    const help = (await b.browser.pages()).find((p) => p.url() === url);
    await help!.waitForSelector('[data-finding]');
    const anchor = url.split('#')[1] ?? '';
    const entry = await help!.$eval(`#${anchor}`, (e) => e.textContent ?? '');
    expect(entry.length).toBeGreaterThan(20);
    // Every risk and every finding code has its entry.
    expect(await help!.$$eval('[data-risk]', (e) => e.length)).toBe(6);
    expect(await help!.$$eval('[data-finding]', (e) => e.length)).toBeGreaterThan(90);
    await help!.close();
    await page.bringToFront();
    await page.focus(badge('pickle_named.safetensors'));
    await page.keyboard.press('Escape');
    expect(await shownPanels(page)).toHaveLength(0);
  });

  it('"Copy report" copies Markdown; "Copy JSON" the CLI line', async () => {
    await fixturesTree();
    await page.focus(badge('os_system.pkl'));
    const click = (text: string) =>
      page.$$eval(
        '.picklens-panel:not([hidden]) button',
        (bs, t) => {
          bs.find((y) => y.textContent === t)?.click();
        },
        text,
      );
    await click('Copy report');
    await page.waitForFunction(() =>
      document
        .querySelector('.picklens-panel:not([hidden]) [role="status"]')
        ?.textContent?.startsWith('Report copied'),
    );
    const md = await page.evaluate(() => navigator.clipboard.readText());
    expect(md).toMatch(/^### Picklens: `os_system.pkl` — ✖ Dangerous \(pickle\)/);
    expect(md).toContain('**What to do**');
    expect(md).toContain('`posix.system` — dangerous');
    await click('Copy JSON');
    await page.waitForFunction(() =>
      document
        .querySelector('.picklens-panel:not([hidden]) [role="status"]')
        ?.textContent?.startsWith('JSON copied'),
    );
    const json = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ path: 'os_system.pkl', format: 'pickle', risk: 'dangerous' });
  });

  it("the toolbar icon counts the page's dangerous files", async () => {
    await fixturesTree();
    const dangerous = Object.values(await expectedRisks(spec('picklens/fixtures'), '')).filter(
      (r) => r === 'dangerous',
    ).length;
    expect(dangerous).toBeGreaterThan(3);
    const text = await b.worker.evaluate(async () => {
      const c = (
        globalThis as unknown as {
          chrome: {
            tabs: { query(q: object): Promise<{ id?: number }[]> };
            action: { getBadgeText(d: { tabId: number }): Promise<string> };
          };
        }
      ).chrome;
      const [tab] = await c.tabs.query({ active: true, lastFocusedWindow: true });
      return tab?.id === undefined ? null : c.action.getBadgeText({ tabId: tab.id });
    });
    expect(text).toBe(String(dangerous));
  });
});

describe("the Hub's own controls, at every width", () => {
  it('the scan button keeps one line and its place after the name, at 360, 800 and 1280 px', async () => {
    for (const width of [360, 800, 1280]) {
      await fixturesTree(width);
      const rows = await page.$$eval('[data-target="ViewerIndexTreeList"] li', (lis) =>
        lis
          .map((li) => {
            const name = li.querySelector('a[href*="/blob/"]');
            const scan = li.querySelector('button:not(.picklens-badge *)');
            const ours = li.querySelector('.picklens-badge');
            if (!name || !scan || !ours) return null;
            const n = name.getBoundingClientRect();
            const s = scan.getBoundingClientRect();
            const o = ours.getBoundingClientRect();
            const cell = name.parentElement!.getBoundingClientRect();
            return {
              path: (ours as HTMLElement).dataset.picklensPath,
              scanHeight: s.height,
              gap: Math.round(s.left - n.right),
              oursAfterScan: o.left >= s.right - 0.5,
              insideCell: o.right <= cell.right + 0.5 && s.right <= cell.right + 0.5,
              sameLine: Math.abs(o.top + o.height / 2 - (s.top + s.height / 2)) < 2,
            };
          })
          .filter(Boolean),
      );
      expect(rows.length, `width ${width}`).toBeGreaterThan(10);
      for (const r of rows) {
        expect(r!.scanHeight, `${width}px ${r!.path}`).toBeLessThanOrEqual(20); // one line (h-[1.125rem])
        expect(r!.oursAfterScan, `${width}px ${r!.path}`).toBe(true);
        expect(r!.insideCell, `${width}px ${r!.path}`).toBe(true);
        expect(r!.sameLine, `${width}px ${r!.path}`).toBe(true);
      }
      // The Hub's button sits where the Hub puts it: the same small gap after the name on every row.
      expect(new Set(rows.map((r) => r!.gap)).size, `width ${width}`).toBe(1);
    }
  });
});
