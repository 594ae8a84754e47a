// The store builds: both browsers' zips and the sources zip build; the Firefox manifest has its gecko id, says
// it collects no data, and exposes the engine to huggingface.co only; `web-ext lint` (Mozilla's linter, the
// npm package) finds no error; the sources zip holds what a reviewer needs to build it and nothing else.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const out = mkdtempSync(join(tmpdir(), 'picklens-stores-'));
const npx = (...args: string[]) =>
  execFileSync('npx', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
    env: { ...process.env, PICKLENS_OUT_DIR: out },
  });

beforeAll(() => {
  // Into a directory of its own: the tests' own build in .output stays as it is.
  npx('wxt', 'zip', '-b', 'chrome');
  npx('wxt', 'zip', '-b', 'firefox');
}, 240_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A manifest's keys this test reads. */
interface Manifest {
  manifest_version: number;
  permissions?: string[];
  host_permissions?: string[];
  web_accessible_resources?: unknown;
  browser_specific_settings?: { gecko: { id: string; data_collection_permissions: unknown } };
}
const manifestOf = (files: Record<string, Uint8Array>) =>
  JSON.parse(strFromU8(files['manifest.json'] ?? new Uint8Array())) as Manifest;

const zipNamed = (suffix: string) => {
  const name = readdirSync(out).find((f) => f.endsWith(suffix));
  if (!name) throw new Error(`no *${suffix} in ${readdirSync(out).join(', ')}`);
  return unzipSync(new Uint8Array(readFileSync(join(out, name))));
};

describe('store builds', () => {
  it('the Firefox manifest: MV3, gecko id, no data collected, the engine for huggingface.co only', () => {
    const manifest = manifestOf(zipNamed('-firefox.zip'));
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.browser_specific_settings?.gecko.id).toBe('picklens@picklens.dev');
    expect(manifest.browser_specific_settings?.gecko.data_collection_permissions).toEqual({
      required: ['none'],
    });
    expect(manifest.web_accessible_resources).toEqual([
      { resources: ['engine.mjs'], matches: ['https://huggingface.co/*'] },
    ]);
    expect(manifest.permissions ?? []).toEqual([]);
    expect(manifest.host_permissions).toEqual(['https://huggingface.co/*', 'https://*.hf.co/*']);
    const chrome = manifestOf(zipNamed('-chrome.zip'));
    expect(chrome.browser_specific_settings).toBeUndefined();
    expect(chrome.permissions ?? []).toEqual([]);
  });

  it('web-ext lint: no error in the Firefox build', () => {
    const dir = mkdtempSync(join(out, 'ff-'));
    for (const [name, bytes] of Object.entries(zipNamed('-firefox.zip'))) {
      if (name.endsWith('/')) continue;
      const path = join(dir, name);
      execFileSync('mkdir', ['-p', join(path, '..')]);
      execFileSync('tee', [path], { input: bytes, stdio: ['pipe', 'ignore', 'ignore'] });
    }
    let json: string;
    try {
      json = npx('web-ext', 'lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery');
    } catch (e) {
      json = String((e as { stdout?: string }).stdout ?? '');
    }
    const report = JSON.parse(json) as {
      summary: { errors: number };
      errors: { code: string; message: string }[];
    };
    expect(report.errors.map((m) => `${m.code}: ${m.message}`)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });

  it('the sources zip: the code that builds it, no tests, fixtures, screenshots or output', () => {
    const names = Object.keys(zipNamed('-sources.zip')).filter((n) => !n.endsWith('/'));
    for (const need of ['package.json', 'package-lock.json', 'wxt.config.ts', 'tsconfig.json', 'README.md'])
      expect(names).toContain(need);
    expect(names.some((n) => n.startsWith('lib/formats/'))).toBe(true);
    expect(names.some((n) => n.startsWith('entrypoints/'))).toBe(true);
    const unwanted = names.filter((n) =>
      /^(test|docs|scripts|dist|study-out|node_modules|\.output|\.wxt)\/|\.(png|pkl|pt|bin|npy|h5)$/.test(n),
    );
    expect(unwanted).toEqual([]);
  });
});
