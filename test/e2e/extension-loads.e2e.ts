// The built Chrome MV3 extension loads in Debian's Chromium: its service worker starts, its popup renders,
// and its manifest asks for nothing beyond the Hub's hosts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_VERSION } from '../../lib/formats/types';
import { EXTENSION_DIR, launchWithExtension, type Launched } from '../support/browser';

type ChromeGlobal = { chrome: { runtime: { getManifest(): { name: string } } } };

describe('the built extension in Chromium', () => {
  let b: Launched;
  beforeAll(async () => {
    b = await launchWithExtension();
  });
  afterAll(async () => {
    await b?.close();
  });

  it('starts its service worker', async () => {
    expect(b.extensionId).toMatch(/^[a-p]{32}$/);
    const name = await b.worker.evaluate(
      () => (globalThis as unknown as ChromeGlobal).chrome.runtime.getManifest().name,
    );
    expect(name).toBe('Picklens');
  });

  it('renders its popup page with the engine version', async () => {
    const page = await b.browser.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/popup.html`);
    await page.waitForSelector('main h1');
    const text = await page.$eval('main', (el) => el.textContent ?? '');
    expect(text).toContain('Picklens');
    expect(text).toContain(ENGINE_VERSION);
    await page.close();
  });

  it('asks only for the Hub and its CDN hosts', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions ?? []).toEqual([]);
    expect(manifest.host_permissions).toEqual(['https://huggingface.co/*', 'https://*.hf.co/*']);
    // The engine module is importable by huggingface.co pages' content script, and by nothing else.
    expect(manifest.web_accessible_resources).toEqual([
      { resources: ['engine.mjs'], matches: ['https://huggingface.co/*'] },
    ]);
  });

  it('has its icons at every size the stores ask for, and an options page', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
      icons?: Record<string, string>;
      options_ui?: { page: string };
    };
    expect(Object.keys(manifest.icons ?? {}).sort((a, b) => Number(a) - Number(b))).toEqual([
      '16',
      '32',
      '48',
      '96',
      '128',
    ]);
    for (const [size, file] of Object.entries(manifest.icons ?? {})) {
      const png = readFileSync(join(EXTENSION_DIR, file));
      // A PNG of that size: the IHDR's width and height (bytes 16–23).
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], file).toEqual([Number(size), Number(size)]);
    }
    expect(manifest.options_ui?.page).toBe('options.html');
  });
});
