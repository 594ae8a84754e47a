import { join } from 'node:path';
import preact from '@preact/preset-vite';
import { build } from 'esbuild';
import { defineConfig } from 'wxt';

/** The engine module the content script imports on demand (see lib/content-engine.ts). */
export const ENGINE_MODULE = 'engine.mjs';

// https://wxt.dev/api/config.html
export default defineConfig({
  manifest: {
    name: 'Picklens',
    description:
      'Shows what each model file on huggingface.co really is, and whether loading it can run code.',
    // Minimal permissions: only the Hub and its CDN hosts (DESIGN.md "Security is the product").
    // IndexedDB needs no permission.
    host_permissions: ['https://huggingface.co/*', 'https://*.hf.co/*'],
    // The engine module, importable by the content script on huggingface.co pages and nowhere else.
    web_accessible_resources: [{ resources: [ENGINE_MODULE], matches: ['https://huggingface.co/*'] }],
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
