// The CLI's two outputs: the DESIGN.md JSON contract, and a compact table for people.
import type { Risk, Verdict } from '../formats/types';
import type { PrVerification } from '../hub/verify-pr';
import { VERIFY_WORDS } from '../hub/verify-summary';

const RISK_COLOR: Record<Risk, string> = {
  safe: '\x1b[32m',
  caution: '\x1b[33m',
  unsafe: '\x1b[35m',
  dangerous: '\x1b[1;31m',
  invalid: '\x1b[31m',
  unknown: '\x1b[90m',
};

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** File names are untrusted: control characters are escaped before they reach a terminal. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function formatRow(path: string, v: Verdict, color: boolean): string {
  const risk = color ? `${RISK_COLOR[v.risk]}${v.risk.padEnd(9)}\x1b[0m` : v.risk.padEnd(9);
  const key =
    v.findings.find((f) => f.severity === 'danger') ??
    v.findings.find((f) => f.severity === 'error') ??
    v.findings[0];
  const wo = v.weightsOnly === undefined ? '' : v.weightsOnly ? ' weights_only:ok' : ' weights_only:no';
  const note = key ? `  ${printable(key.message)}` : '';
  return `${risk} ${v.format.padEnd(12)} ${v.paper.padEnd(11)} ${bytes(v.bytesRead).padStart(9)}  ${printable(path)}${wo}${note}`;
}

export function formatSummary(vs: Verdict[], color: boolean): string {
  const counts = new Map<Risk, number>();
  for (const v of vs) counts.set(v.risk, (counts.get(v.risk) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => (color ? `${RISK_COLOR[r]}${n} ${r}\x1b[0m` : `${n} ${r}`));
  const read = vs.reduce((n, v) => n + v.bytesRead, 0);
  return `${vs.length} file(s): ${parts.join(', ') || 'none'}; ${bytes(read)} read`;
}

/** A conversion check for people: the verdict, what was compared, what differs, what it cost. */
export function formatVerification(r: PrVerification): string {
  const who = r.status ? ` (${r.status}${r.bot ? ', SFconvertbot' : ''})` : '';
  const lines = [`${printable(r.repo)} #${r.pr}${who}: ${VERIFY_WORDS[r.verdict]}`];
  if (r.reason) lines.push(`  why: ${printable(r.reason)}`);
  if (r.tensors)
    lines.push(
      `  ${r.tensors} ${r.tensors === 1 ? 'tensor' : 'tensors'} compared by name, dtype and shape; ${r.compared} sampled in both files (${bytes(r.sampledBytes)} compared, ${(r.coverage * 100).toFixed(r.coverage < 0.01 ? 3 : 1)}% of the tensor bytes)`,
    );
  if (r.unreadSamples)
    lines.push(`  ${r.unreadSamples} sample window(s) could not be read after retries and were left out`);
  if (r.unwrapped) lines.push(`  the checkpoint's "${r.unwrapped}" was compared, as the converter takes it`);
  for (const t of r.ties.slice(0, 10))
    lines.push(`  tie: ${printable(t.removed)} is ${printable(t.kept)} (declared)`);
  if (r.ties.length > 10) lines.push(`  … ${r.ties.length - 10} more tie(s)`);
  for (const d of r.differences.slice(0, 20)) lines.push(`  ${d.kind}: ${printable(d.detail)}`);
  if (r.differenceCount > 20) lines.push(`  … ${r.differenceCount - 20} more difference(s)`);
  lines.push(
    `  cost: ${r.requests} ${r.requests === 1 ? 'request' : 'requests'} (${r.apiCalls} to the API), ${bytes(r.bytesRead)} read`,
  );
  if (r.usage && r.verdict.startsWith('equivalent')) lines.push(`  use it without merging: ${r.usage}`);
  return lines.join('\n');
}
