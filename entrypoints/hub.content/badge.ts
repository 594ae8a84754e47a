// The badge painted next to a model file, and its panel of findings. Untrusted text (file names, imports,
// findings) is only ever set with textContent. Reachable by keyboard (tabindex, focus shows the panel,
// Escape hides it) and described for screen readers (aria-label, aria-describedby).
import type { Risk, Verdict } from '@/lib/formats/types';

const STYLE_ID = 'picklens-style';
const CSS = `
.picklens-badge{display:inline-flex;align-items:center;margin-left:.375rem;padding:0 .375rem;height:1.125rem;border-radius:.25rem;border:1px solid;font:600 11px/1 ui-sans-serif,system-ui,sans-serif;cursor:default;white-space:nowrap;position:relative}
.picklens-badge:focus-visible{outline:2px solid #2563eb;outline-offset:1px}
.picklens-badge[data-picklens-risk=pending]{color:#6b7280;border-color:#d1d5db}
.picklens-badge[data-picklens-risk=safe]{color:#047857;border-color:#a7f3d0;background:#ecfdf5}
.picklens-badge[data-picklens-risk=caution]{color:#92400e;border-color:#fde68a;background:#fffbeb}
.picklens-badge[data-picklens-risk=unsafe]{color:#9a3412;border-color:#fed7aa;background:#fff7ed}
.picklens-badge[data-picklens-risk=dangerous]{color:#fff;border-color:#b91c1c;background:#dc2626}
.picklens-badge[data-picklens-risk=invalid]{color:#991b1b;border-color:#fecaca;background:#fef2f2}
.picklens-badge[data-picklens-risk=unknown]{color:#4b5563;border-color:#e5e7eb;background:#f9fafb}
:root.dark .picklens-badge[data-picklens-risk=safe]{color:#6ee7b7;background:#022c22;border-color:#065f46}
:root.dark .picklens-badge[data-picklens-risk=caution]{color:#fcd34d;background:#451a03;border-color:#92400e}
:root.dark .picklens-badge[data-picklens-risk=unsafe]{color:#fdba74;background:#431407;border-color:#9a3412}
:root.dark .picklens-badge[data-picklens-risk=unknown],:root.dark .picklens-badge[data-picklens-risk=pending]{color:#9ca3af;background:#111827;border-color:#374151}
.picklens-panel{position:absolute;z-index:50;top:1.5rem;left:0;min-width:18rem;max-width:28rem;padding:.5rem .625rem;border-radius:.375rem;border:1px solid #e5e7eb;background:#fff;color:#111827;font:400 12px/1.4 ui-sans-serif,system-ui,sans-serif;white-space:normal;box-shadow:0 4px 12px rgb(0 0 0/.12)}
:root.dark .picklens-panel{background:#111827;color:#e5e7eb;border-color:#374151}
.picklens-panel[hidden]{display:none}
.picklens-blob{margin:.75rem 0}
.picklens-badge.picklens-inline{display:block;height:auto;padding:.25rem .5rem}
.picklens-inline .picklens-panel{position:static;margin-top:.25rem;box-shadow:none}
.picklens-chip{display:inline-flex;gap:.25rem;margin-left:.75rem;padding:.125rem .5rem;border-radius:9999px;border:1px solid #e5e7eb;font:500 12px/1.4 ui-sans-serif,system-ui,sans-serif;vertical-align:middle}
:root.dark .picklens-chip{border-color:#374151}
.picklens-chip-code-remote{color:#dc2626}
.picklens-chip-code-auto-map,.picklens-chip-code-onnx-custom{color:#b45309}
:root.dark .picklens-chip-code-remote{color:#f87171}
:root.dark .picklens-chip-code-auto-map,:root.dark .picklens-chip-code-onnx-custom{color:#fcd34d}
.picklens-panel h4{margin:0 0 .25rem;font-weight:600}
.picklens-panel .picklens-list{margin:.25rem 0}
.picklens-panel .picklens-item{display:block;padding-left:.75rem;text-indent:-.5rem}
.picklens-panel .picklens-item::before{content:'• '}
.picklens-panel .picklens-dangerous{color:#dc2626;font-weight:600}
.picklens-verify{display:block;margin:.5rem 0;padding:.5rem .75rem;border-radius:.375rem;border:1px solid #e5e7eb;font:400 13px/1.45 ui-sans-serif,system-ui,sans-serif;color:#1f2937;background:#f9fafb;overflow-wrap:anywhere}
.picklens-verify p{margin:.25rem 0}
.picklens-verify ul{margin:.25rem 0;padding-left:1.25rem;list-style:disc}
.picklens-verify code{font:12px/1.4 ui-monospace,monospace;padding:0 .25rem;border-radius:.25rem;background:rgb(0 0 0/.06)}
.picklens-verify button,.picklens-verify-button{font:500 12px/1.6 ui-sans-serif,system-ui,sans-serif;padding:0 .5rem;border:1px solid currentColor;border-radius:.25rem;background:transparent;color:inherit;cursor:pointer}
.picklens-verify button:focus-visible,.picklens-verify-button:focus-visible{outline:2px solid #2563eb;outline-offset:1px}
.picklens-verify[data-picklens-verify^=equivalent]{color:#065f46;background:#ecfdf5;border-color:#a7f3d0}
.picklens-verify[data-picklens-verify=differs]{color:#991b1b;background:#fef2f2;border-color:#fecaca}
.picklens-verify[data-picklens-verify=unverifiable]{color:#78350f;background:#fffbeb;border-color:#fde68a}
:root.dark .picklens-verify{color:#e5e7eb;background:#111827;border-color:#374151}
:root.dark .picklens-verify[data-picklens-verify^=equivalent]{color:#6ee7b7;background:#022c22;border-color:#065f46}
:root.dark .picklens-verify[data-picklens-verify=differs]{color:#fca5a5;background:#450a0a;border-color:#991b1b}
:root.dark .picklens-verify[data-picklens-verify=unverifiable]{color:#fcd34d;background:#451a03;border-color:#92400e}
.picklens-pr[data-picklens-verify^=equivalent]{color:#047857}
.picklens-pr[data-picklens-verify=differs]{color:#b91c1c}
:root.dark .picklens-pr[data-picklens-verify^=equivalent]{color:#6ee7b7}
:root.dark .picklens-pr[data-picklens-verify=differs]{color:#fca5a5}
`;

let panels = 0;

/**
 * Copies of one of our nodes that a re-render made (clones without their listeners) go; `keep` stays. Each
 * feature's `apply` calls it before putting its node back where it belongs.
 */
export function removeCopies(root: ParentNode, selector: string, keep: Element): void {
  for (const other of root.querySelectorAll(selector)) if (other !== keep) other.remove();
}

export function ensureStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.append(style);
}

const LABEL: Record<Risk | 'pending', string> = {
  pending: 'reading…',
  safe: 'safe',
  caution: 'caution',
  unsafe: 'unsafe',
  dangerous: 'dangerous',
  invalid: 'invalid',
  unknown: 'unknown',
};

/** A list item as a div: the host page's list styles (the tree is itself a list) cannot reach it. */
function item(doc: Document, text: string, className?: string): HTMLElement {
  return el(doc, 'div', text, `picklens-item${className ? ` ${className}` : ''}`);
}

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** One sentence for screen readers and the title line. */
export function summary(v: Verdict): string {
  const dangerous = v.imports.filter((i) => i.safety === 'dangerous').map((i) => `${i.module}.${i.name}`);
  const reason = v.findings.some((f) => f.code === 'read-failed' && f.cause === 'gated') ? ' (gated)' : '';
  return `${v.format}, ${v.risk}${reason}${dangerous.length ? `: imports ${dangerous.slice(0, 3).join(', ')}` : ''}`;
}

function fillPanel(doc: Document, panel: HTMLElement, v: Verdict): void {
  panel.replaceChildren();
  panel.append(el(doc, 'h4', `Picklens: ${summary(v)}`));
  const facts = el(doc, 'div', undefined, 'picklens-list');
  const d = v.details;
  const params = typeof d.parameters === 'number' ? `, ${d.parameters.toLocaleString('en')} parameters` : '';
  const lines = [
    `study's label: ${v.paper}`,
    v.weightsOnly === undefined
      ? ''
      : `torch.load(weights_only=True): ${v.weightsOnly ? 'would load' : 'would refuse'}`,
    typeof d.tensors === 'number' ? `${d.tensors} tensors${params}` : '',
    d.parametersByDtype && typeof d.parametersByDtype === 'object'
      ? `dtypes: ${Object.keys(d.parametersByDtype).join(', ')}`
      : '',
    `read ${v.bytesRead.toLocaleString('en')} bytes in ${v.requests} request(s)${v.size ? ` of ${v.size.toLocaleString('en')}` : ''}`,
  ];
  for (const line of lines) if (line) facts.append(item(doc, line));
  panel.append(facts);
  if (v.imports.length) {
    panel.append(el(doc, 'div', `imports (${v.imports.length}):`));
    const list = el(doc, 'div', undefined, 'picklens-list');
    for (const i of v.imports.slice(0, 12))
      list.append(
        item(
          doc,
          `${i.module}.${i.name} — ${i.safety}`,
          i.safety === 'dangerous' ? 'picklens-dangerous' : undefined,
        ),
      );
    panel.append(list);
  }
  if (v.findings.length) {
    const list = el(doc, 'div', undefined, 'picklens-list');
    for (const f of v.findings.slice(0, 6))
      list.append(item(doc, f.message, f.severity === 'danger' ? 'picklens-dangerous' : undefined));
    panel.append(list);
  }
}

export interface Badge {
  root: HTMLElement;
  paint(v: Verdict): void;
}

export function createBadge(doc: Document, path: string): Badge {
  ensureStyle(doc);
  const root = el(doc, 'span', undefined, 'picklens-badge');
  const label = el(doc, 'span', LABEL.pending);
  root.tabIndex = 0;
  root.setAttribute('role', 'button');
  root.dataset.picklensPath = path;
  root.dataset.picklensRisk = 'pending';
  root.dataset.picklensFormat = 'pending';
  root.setAttribute('aria-label', `Picklens: reading ${path}`);
  const panel = el(doc, 'div', undefined, 'picklens-panel');
  panel.id = `picklens-panel-${++panels}`;
  panel.setAttribute('role', 'tooltip');
  panel.hidden = true;
  root.setAttribute('aria-describedby', panel.id);
  root.append(label, panel);
  const show = () => (panel.hidden = root.dataset.picklensRisk === 'pending');
  // A pinned panel (the blob page's) stays open.
  const hide = () => (panel.hidden = root.dataset.picklensPinned !== 'true');
  root.addEventListener('mouseenter', show);
  root.addEventListener('focus', show);
  root.addEventListener('mouseleave', hide);
  root.addEventListener('blur', hide);
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') hide();
    if (e.key === 'Enter' || e.key === ' ') panel.hidden = !panel.hidden;
  });
  return {
    root,
    paint(v) {
      root.dataset.picklensPath = path;
      root.dataset.picklensRisk = v.risk;
      root.dataset.picklensFormat = v.format;
      label.textContent = `${v.format} · ${LABEL[v.risk]}`;
      root.setAttribute('aria-label', `Picklens: ${path} is ${summary(v)}`);
      fillPanel(doc, panel, v);
    },
  };
}
