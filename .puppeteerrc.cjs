// Puppeteer downloads its own Chrome only where the machine has no Chrome or Chromium of its own (a macOS or
// Windows laptop without one): CI and Debian use the system's Chromium and skip the download (TOOLCHAIN.md),
// and so does any run with PUPPETEER_SKIP_DOWNLOAD set.
const { existsSync } = require('node:fs');
const { systemBrowsers } = require('./test/support/browser-paths.cjs');

module.exports = {
  skipDownload:
    Boolean(process.env.PUPPETEER_SKIP_DOWNLOAD) ||
    Boolean(process.env.CHROMIUM_PATH) ||
    systemBrowsers().some((p) => existsSync(p)),
};
