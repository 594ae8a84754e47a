// A verdict as text to share: the CLI's JSON line (the DESIGN.md contract) and a Markdown report with the
// risk, what to do, the findings and the imports. Pure: the CLI, the badge panel's "Copy" buttons and the
// tests use the same two.
import type { Advice } from './advice';
import { RISK_HELP } from './explain';
import type { Verdict } from './types';

export function toJsonLine(path: string, v: Verdict): string {
  const o: Record<string, unknown> = { path, paper: v.paper, format: v.format, risk: v.risk };
  if (v.weightsOnly !== undefined) o.weightsOnly = v.weightsOnly;
  o.imports = v.imports.map((i) => ({ module: i.module, name: i.name, safety: i.safety }));
  o.findings = v.findings.map((f) => ({
    code: f.code,
    severity: f.severity,
    message: f.message,
    ...(f.cause ? { cause: f.cause } : {}),
  }));
  o.details = v.details;
  o.bytesRead = v.bytesRead;
  o.requests = v.requests;
  o.size = v.size;
  return JSON.stringify(o);
}

/** Untrusted text in a Markdown code span: backticks and line breaks cannot end it early. */
function code(s: string): string {
  return `\`${s.replace(/[`\r\n]/g, ' ')}\``;
}

/** Untrusted text as Markdown prose: characters that would format, link or embed HTML are escaped. */
function prose(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#|!~]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function reportMarkdown(path: string, v: Verdict, advice: Advice[], where?: string): string {
  const r = RISK_HELP[v.risk];
  const lines = [
    `### Picklens: ${code(path)} — ${r.icon} ${r.word} (${v.format})`,
    '',
    ...(where ? [`${prose(where)}`, ''] : []),
    `${r.meaning}`,
    '',
  ];
  if (advice.length) {
    lines.push('**What to do**', '');
    for (const a of advice) lines.push(`- ${prose(a.say)}${a.code ? ` ${code(a.code)}` : ''}`);
    lines.push('');
  }
  const risky = v.imports.filter((i) => i.safety !== 'innocuous');
  if (v.imports.length) {
    lines.push(`**Imports** (${v.imports.length}, ${risky.length} not innocuous)`, '');
    for (const i of [...risky, ...v.imports.filter((x) => x.safety === 'innocuous')].slice(0, 20))
      lines.push(`- ${code(`${i.module}.${i.name}`)} — ${i.safety}${i.reason ? `: ${prose(i.reason)}` : ''}`);
    lines.push('');
  }
  const findings = v.findings.filter((f) => f.code !== 'pickle-dangerous-import');
  if (findings.length) {
    lines.push('**Findings**', '');
    for (const f of findings) lines.push(`- ${code(f.code)} ${prose(f.message)}`);
    lines.push('');
  }
  lines.push(
    `The study's label (R1–R5): ${v.paper}. Read ${v.bytesRead.toLocaleString('en')} bytes in ${v.requests} request(s)${v.size ? ` of ${v.size.toLocaleString('en')}` : ''}.`,
  );
  return lines.join('\n');
}
