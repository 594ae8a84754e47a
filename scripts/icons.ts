// `npm run icons`: the toolbar and store icons (public/icon/{16,32,48,96,128}.png, the WXT convention) drawn
// from scripts/icon.svg by Chromium, so every size is the same drawing. The PNGs are committed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer';
import { chromiumPath } from '../test/support/browser';

const root = join(import.meta.dirname, '..');
const svg = readFileSync(join(root, 'scripts/icon.svg'), 'utf8');
const browser = await puppeteer.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
const page = await browser.newPage();
for (const size of [16, 32, 48, 96, 128]) {
  await page.setViewport({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
  );
  const file = join(root, `public/icon/${size}.png`);
  await page.screenshot({ path: file, omitBackground: true });
  console.log(`wrote ${file}`);
}
await browser.close();
