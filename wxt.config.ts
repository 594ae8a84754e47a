import { join } from 'node:path';
import preact from '@preact/preset-vite';
import { build } from 'esbuild';
import { defineConfig } from 'wxt';

/** The engine module the content script imports on demand (see lib/content-engine.ts). */
export const ENGINE_MODULE = 'engine.mjs';

// https://wxt.dev/api/config.html
export default defineConfig({
  // The store-zip test builds into a directory of its own (the browser tests load .output meanwhile).
  outDir: process.env.PICKLENS_OUT_DIR ?? '.output',
  // webextension-polyfill the WXT way: `browser` is the same promise API in Chrome and Firefox.
  modules: ['@wxt-dev/webextension-polyfill'],
  // Manifest V3 for both browsers: in Firefox too, the engine module is web-accessible to huggingface.co
  // only (an MV2 manifest cannot say which sites may load it: every site could).
  manifestVersion: 3,
  manifest: ({ browser }) => ({
    name: 'Picklens',
    description:
      'Shows what each model file on huggingface.co really is, and whether loading it can run code.',
    // Minimal permissions: only the Hub and its CDN hosts (DESIGN.md "Security is the product").
    // IndexedDB needs no permission.
    host_permissions: ['https://huggingface.co/*', 'https://*.hf.co/*'],
    // The engine module, importable by the content script on huggingface.co pages and nowhere else.
    web_accessible_resources: [{ resources: [ENGINE_MODULE], matches: ['https://huggingface.co/*'] }],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'picklens@picklens.dev',
              // MV3 with data_collection_permissions (Firefox 140, extensionworkshop.com
              // "firefox-builtin-data-consent"): required for new add-ons since November 2025.
              strict_min_version: '140.0',
              // Nothing leaves the browser but requests to the Hub: no data is collected or transmitted.
              data_collection_permissions: { required: ['none'] },
            },
            // The same key reaches Firefox for Android from 142.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
  // The store zips: the extension for each browser, and for Firefox's reviewers the sources that build it —
  // no tests (their fixtures include malicious files), screenshots, scripts or local output.
  zip: {
    excludeSources: [
      'test/**',
      'docs/**',
      'scripts/**',
      'dist/**',
      'study-out/**',
      '.ci/**',
      '**/*.png',
      'eslint.config.js',
      'vitest.config.ts',
    ],
  },
  vite: () => ({
    plugins: [preact()],
  }),
  hooks: {
    // WXT builds content scripts as single classic scripts; the engine is built beside them as an ES module
    // so the content script can load it with import() only when it has a file to read.
    'build:done': async (wxt) => {
      await build({
        entryPoints: [join(wxt.config.root, 'lib/content-engine.ts')],
        bundle: true,
        format: 'esm',
        minify: true,
        target: 'chrome120',
        outfile: join(wxt.config.outDir, ENGINE_MODULE),
        logLevel: 'warning',
      });
    },
  },
});
