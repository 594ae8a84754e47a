import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// https://wxt.dev/api/config.html
export default defineConfig({
  manifest: {
    name: 'Picklens',
    description:
      'Shows what each model file on huggingface.co really is, and whether loading it can run code.',
    // Minimal permissions: only the Hub and its CDN hosts (DESIGN.md "Security is the product").
    // IndexedDB needs no permission.
    host_permissions: ['https://huggingface.co/*', 'https://*.hf.co/*'],
  },
  vite: () => ({
    plugins: [preact()],
  }),
});
