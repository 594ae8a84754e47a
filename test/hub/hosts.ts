// How a browser reaches the replica as huggingface.co: the CDN origin its redirects name, and Chromium's
// --host-resolver-rules that map the Hub's hosts to the replica's port on loopback.

/** The CDN origin the replica's redirects name for a browser: the Xet bridge host (HUB.md, 2026-06). */
export const BROWSER_CDN = 'https://us.aws.cdn.hf.co';

export function hubHostRules(port: number): string {
  return [
    `MAP huggingface.co 127.0.0.1:${port}`,
    `MAP us.aws.cdn.hf.co 127.0.0.1:${port}`,
    `MAP cdn-lfs.hf.co 127.0.0.1:${port}`,
    'MAP * ~NOTFOUND',
    'EXCLUDE 127.0.0.1',
  ].join(', ');
}
