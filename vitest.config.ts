import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  // WxtVitest does not read wxt.config's vite plugins, so Preact is added here too (TOOLCHAIN.md).
  plugins: [WxtVitest(), preact()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx', 'test/e2e/**/*.e2e.ts'],
    reporters: ['default', './test/plain-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
