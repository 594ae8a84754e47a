// Where a Chromium of the machine's own usually is, per platform (shared by .puppeteerrc.cjs, which decides
// whether Puppeteer downloads a browser, and by test/support/browser.ts, which picks one). Branded Google
// Chrome is not among them: since Chrome 137 it ignores --load-extension (Chrome release notes), which the
// tests and the demo need; Chromium and Chrome for Testing (what Puppeteer downloads) honour it.
const { join } = require('node:path');

function systemBrowsers(platform = process.platform, env = process.env) {
  if (platform === 'darwin')
    return [
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    ];
  if (platform === 'win32')
    return [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA]
      .filter(Boolean)
      .map((d) => join(d, 'Chromium/Application/chrome.exe'));
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];
}

module.exports = { systemBrowsers };
