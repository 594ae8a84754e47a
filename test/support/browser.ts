// Launches Debian's Chromium with the built extension (TOOLCHAIN.md: the flags this closed network needs).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import puppeteer, { TargetType, type Browser, type WebWorker } from 'puppeteer';

const { systemBrowsers } = createRequire(import.meta.url)('./browser-paths.cjs') as {
  systemBrowsers: () => string[];
};

export const EXTENSION_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../.output/chrome-mv3');
/**
 * The browser the tests and the demo drive: CHROMIUM_PATH if set, else the machine's own Chromium, else the
 * Chrome for Testing that Puppeteer downloaded at `npm ci` (.puppeteerrc.cjs downloads it only where the
 * machine has no Chromium).
 */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const own = systemBrowsers().find((p) => existsSync(p));
  if (own) return own;
  try {
    return puppeteer.executablePath();
  } catch {
    return '';
  }
}

export { BROWSER_CDN, hubHostRules } from '../hub/hosts';

export interface Launched {
  browser: Browser;
  extensionId: string;
  worker: WebWorker;
  close(): Promise<void>;
}

export async function launchWithExtension(
  hostRules = 'MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  headless = true,
): Promise<Launched> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json')))
    throw new Error(`no built extension in ${EXTENSION_DIR}: run npm run build`);
  const chromium = chromiumPath();
  if (!chromium || !existsSync(chromium))
    throw new Error(
      'no Chromium found: install one (Debian: apt-get install -y chromium), set CHROMIUM_PATH, or run `npm ci` without a Chromium so that Puppeteer downloads Chrome for Testing',
    );
  const profile = mkdtempSync(join(tmpdir(), 'picklens-profile-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless,
    userDataDir: profile,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--ignore-certificate-errors',
      `--host-resolver-rules=${hostRules}`,
    ],
  });
  try {
    // Puppeteer returns before the extension is installed: wait for its service worker, and for its extension
    // APIs to be bound (under load, a worker handle can come before `chrome` exists in it, or belong to a
    // first start Chrome replaces: then the target is looked up again).
    const find = () =>
      browser.waitForTarget(
        (t) => t.type() === TargetType.SERVICE_WORKER && t.url().endsWith('/background.js'),
        { timeout: 20_000 },
      );
    let target = await find();
    let worker = await target.worker();
    let ready: boolean | undefined = false;
    for (let i = 0; i < 100; i++) {
      ready = await worker
        ?.evaluate(
          () =>
            typeof (globalThis as { chrome?: { runtime?: { id?: string } } }).chrome?.runtime?.id ===
            'string',
        )
        .catch(() => false);
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
      target = await find();
      worker = await target.worker();
    }
    if (!worker || !ready)
      throw new Error('the extension service worker did not start with its extension APIs');
    return {
      browser,
      extensionId: new URL(target.url()).host,
      worker,
      async close() {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
