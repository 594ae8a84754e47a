// The badge painted next to a model file, and its panel of findings. Untrusted text (file names, imports,
// findings) is only ever set with textContent. Reachable by keyboard (tabindex, focus shows the panel,
// Escape hides it) and described for screen readers (aria-label, aria-describedby).
import { adviceFor, type AdviceContext } from '@/lib/formats/advice';
import { RISK_HELP } from '@/lib/formats/explain';
import { reportMarkdown, toJsonLine } from '@/lib/formats/report';
import type { Risk, Verdict } from '@/lib/formats/types';
import { send } from '@/lib/messaging-client';

const STYLE_ID = 'picklens-style';

/**
 * The risk colours, light and dark: each text on its own background at a contrast of at least 4.5:1 (WCAG
 * AA; test/unit/content/badge-style.test.ts checks every pair), every risk's background distinct from the
 * others', and an icon beside each word so that colour is never the only signal. Caution is a pale yellow,
 * unsafe a solid orange, dangerous a solid red, invalid pink: no longer two pale oranges.
 */
export const RISK_STYLE: Record<
  Risk | 'pending',
  { light: { fg: string; bg: string; border: string }; dark: { fg: string; bg: string; border: string } }
> = {
  pending: {
    light: { fg: '#4b5563', bg: '#ffffff', border: '#d1d5db' },
    dark: { fg: '#d1d5db', bg: '#1f2937', border: '#4b5563' },
  },
  safe: {
    light: { fg: '#14532d', bg: '#bbf7d0', border: '#4ade80' },
    dark: { fg: '#6ee7b7', bg: '#022c22', border: '#047857' },
  },
  caution: {
    light: { fg: '#713f12', bg: '#fef08a', border: '#eab308' },
    dark: { fg: '#fde047', bg: '#422006', border: '#a16207' },
  },
  unsafe: {
    light: { fg: '#000000', bg: '#ea580c', border: '#9a3412' },
    dark: { fg: '#000000', bg: '#ea580c', border: '#fdba74' },
  },
  dangerous: {
    light: { fg: '#ffffff', bg: '#b91c1c', border: '#7f1d1d' },
    dark: { fg: '#ffffff', bg: '#b91c1c', border: '#f87171' },
  },
  invalid: {
    light: { fg: '#831843', bg: '#f9a8d4', border: '#db2777' },
    dark: { fg: '#fce7f3', bg: '#831843', border: '#f472b6' },
  },
  unknown: {
    light: { fg: '#374151', bg: '#f3f4f6', border: '#9ca3af' },
    dark: { fg: '#e5e7eb', bg: '#374151', border: '#6b7280' },
  },
};

const riskCss = (sel: (r: string) => string) =>
  Object.entries(RISK_STYLE)
    .flatMap(([r, { light, dark }]) => [
      `${sel(r)}{color:${light.fg};background:${light.bg};border-color:${light.border}}`,
      `:root.dark ${sel(r)}{color:${dark.fg};background:${dark.bg};border-color:${dark.border}}`,
    ])
    .join('\n');

const CSS = `
.picklens-badge{display:inline-flex;flex-shrink:0;align-items:center;gap:.25rem;margin-left:.375rem;padding:0 .375rem;height:1.125rem;border-radius:.25rem;border:1px solid;font:600 11px/1 ui-sans-serif,system-ui,sans-serif;cursor:default;white-space:nowrap}
.picklens-badge:focus-visible{outline:2px solid #2563eb;outline-offset:1px}
${riskCss((r) => `.picklens-badge[data-picklens-risk=${r}]`)}
${riskCss((r) => `.picklens-chip[data-picklens-worst=${r}]`)}
.picklens-icon{font-weight:700}
[data-target=ViewerIndexTreeList] li div:has(>.picklens-badge)>:not(a):not(.picklens-badge){flex-shrink:0}
@media (max-width:1023px){.picklens-badge .picklens-format{display:none}}
@media (max-width:639px){.picklens-badge .picklens-word{display:none}.picklens-badge{padding:0 .3rem}}
.picklens-panel{position:fixed;z-index:1000;top:0;left:0;width:min(28rem,calc(100vw - 1rem));max-height:calc(100vh - 1rem);overflow:auto;box-sizing:border-box;padding:.5rem .625rem;border-radius:.375rem;border:1px solid #e5e7eb;background:#fff;color:#111827;font:400 12px/1.45 ui-sans-serif,system-ui,sans-serif;white-space:normal;text-align:left;cursor:auto;box-shadow:0 4px 12px rgb(0 0 0/.12)}
:root.dark .picklens-panel{background:#111827;color:#e5e7eb;border-color:#374151}
.picklens-panel[hidden]{display:none}
.picklens-panel .picklens-head{display:flex;align-items:center;gap:.375rem;margin:0 0 .25rem;font-size:13px;font-weight:700}
.picklens-panel .picklens-head .picklens-risk{padding:0 .375rem;border:1px solid;border-radius:.25rem}
${riskCss((r) => `.picklens-panel .picklens-risk[data-picklens-risk=${r}]`)}
.picklens-panel .picklens-path{font-weight:400;overflow-wrap:anywhere}
.picklens-panel .picklens-todo{margin:.375rem 0;padding:.375rem .5rem;border-radius:.25rem;background:rgb(37 99 235/.08)}
.picklens-panel code{font:11px/1.4 ui-monospace,monospace;padding:0 .2rem;border-radius:.2rem;background:rgb(0 0 0/.06);overflow-wrap:anywhere}
:root.dark .picklens-panel code{background:rgb(255 255 255/.1)}
.picklens-panel .picklens-actions{display:flex;flex-wrap:wrap;gap:.375rem;margin-top:.5rem}
.picklens-panel .picklens-actions button{font:500 12px/1.6 ui-sans-serif,system-ui,sans-serif;padding:0 .5rem;border:1px solid currentColor;border-radius:.25rem;background:transparent;color:inherit;cursor:pointer}
.picklens-panel .picklens-actions button:focus-visible{outline:2px solid #2563eb;outline-offset:1px}
.picklens-blob{margin:.75rem 0}
.picklens-badge.picklens-inline{display:block;height:auto;padding:.25rem .5rem;margin-left:0}
.picklens-badge.picklens-inline.picklens-inline,:root.dark .picklens-badge.picklens-inline.picklens-inline{background:transparent;border:0;padding:0}
.picklens-inline>.picklens-icon,.picklens-inline>.picklens-word,.picklens-inline>.picklens-format{display:none}
.picklens-inline .picklens-panel{position:static;width:auto;max-height:none;margin-top:.25rem;box-shadow:none}
.picklens-chip{display:inline-flex;flex-wrap:wrap;align-items:center;gap:.25rem;margin-left:.75rem;padding:.125rem .5rem;border-radius:.5rem;border:1px solid #e5e7eb;font:500 12px/1.4 ui-sans-serif,system-ui,sans-serif;vertical-align:middle}
:root.dark .picklens-chip{border-color:#374151}
.picklens-chip a{color:inherit;text-decoration:underline}
.picklens-chip-code-remote,.picklens-chip-code-auto-map,.picklens-chip-code-onnx-custom{font-weight:700}
.picklens-panel .picklens-list{margin:.25rem 0}
.picklens-panel .picklens-item{display:block;padding-left:.75rem;text-indent:-.5rem}
.picklens-panel .picklens-item::before{content:'• '}
.picklens-panel .picklens-dangerous{color:#b91c1c;font-weight:600}
:root.dark .picklens-panel .picklens-dangerous{color:#fca5a5}
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

/** One sentence for screen readers and the title line: the risk first. */
export function summary(v: Verdict): string {
  const dangerous = v.imports.filter((i) => i.safety === 'dangerous').map((i) => `${i.module}.${i.name}`);
  const reason = v.findings.some((f) => f.code === 'read-failed' && f.cause === 'gated') ? ' (gated)' : '';
  return `${v.risk}${reason}, ${v.format}${dangerous.length ? `: imports ${[...new Set(dangerous)].slice(0, 3).join(', ')}` : ''}`;
}

/**
 * Copies text: the async clipboard where the page allows it, else a selected textarea — inside the panel, so
 * that the focus never leaves it (the panel would close) — and the focus goes back to the button.
 */
async function copyText(doc: Document, text: string, from: HTMLElement): Promise<boolean> {
  try {
    // A page that is not focused can leave the promise unsettled: give it a second, then the fallback.
    await Promise.race([
      navigator.clipboard.writeText(text),
      new Promise((_, reject) => setTimeout(() => reject(new Error('clipboard timeout')), 1000)),
    ]);
    return true;
  } catch {
    const area = el(doc, 'textarea');
    area.value = text;
    area.setAttribute('aria-hidden', 'true');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    from.after(area);
    area.select();
    const ok = doc.execCommand('copy');
    area.remove();
    from.focus();
    return ok;
  }
}

function fillPanel(doc: Document, panel: HTMLElement, v: Verdict, path: string, ctx: AdviceContext): void {
  panel.replaceChildren();
  const r = RISK_HELP[v.risk];
  const head = el(doc, 'div', undefined, 'picklens-head');
  const risk = el(doc, 'span', `${r.icon} ${r.word}`, 'picklens-risk');
  risk.dataset.picklensRisk = v.risk;
  head.append(risk, el(doc, 'span', v.format), el(doc, 'span', path, 'picklens-path'));
  panel.append(head, el(doc, 'div', r.meaning));

  const advice = adviceFor(v, path, ctx);
  if (advice.length) {
    const todo = el(doc, 'div', undefined, 'picklens-todo');
    todo.append(el(doc, 'strong', 'What to do'));
    for (const a of advice) {
      const line = item(doc, a.say);
      if (a.code) line.append(' ', el(doc, 'code', a.code));
      todo.append(line);
    }
    panel.append(todo);
  }

  const facts = el(doc, 'div', undefined, 'picklens-list');
  const d = v.details;
  const params = typeof d.parameters === 'number' ? `, ${d.parameters.toLocaleString('en')} parameters` : '';
  const lines = [
    `the study's label (R1–R5): ${v.paper}`,
    typeof d.tensors === 'number' ? `${d.tensors} tensors${params}` : '',
    d.parametersByDtype && typeof d.parametersByDtype === 'object'
      ? `dtypes: ${Object.keys(d.parametersByDtype).join(', ')}`
      : '',
    `read ${v.bytesRead.toLocaleString('en')} bytes in ${v.requests} request${v.requests === 1 ? '' : 's'}${v.size ? ` of ${v.size.toLocaleString('en')}` : ''}`,
  ];
  for (const line of lines) if (line) facts.append(item(doc, line));
  panel.append(facts);

  // Each import once: the ones that are not innocuous first, with why; a dangerous import's finding says
  // the same, so it is not listed again below.
  if (v.imports.length) {
    const risky = v.imports.filter((i) => i.safety !== 'innocuous');
    const innocuous = v.imports.filter((i) => i.safety === 'innocuous');
    panel.append(
      el(
        doc,
        'div',
        `imports (${v.imports.length}${risky.length ? `, ${risky.length} not innocuous` : ''}):`,
      ),
    );
    const list = el(doc, 'div', undefined, 'picklens-list');
    for (const i of risky.slice(0, 12))
      list.append(
        item(
          doc,
          `${i.module}.${i.name} — ${i.safety}${i.reason ? `: ${i.reason}` : ''}${i.offset !== undefined ? ` (byte ${i.offset}${i.where ? ` of ${i.where}` : ''})` : ''}`,
          i.safety === 'dangerous' ? 'picklens-dangerous' : undefined,
        ),
      );
    if (innocuous.length)
      list.append(
        item(
          doc,
          `${innocuous.length} innocuous: ${innocuous
            .slice(0, 6)
            .map((i) => `${i.module}.${i.name}`)
            .join(', ')}${innocuous.length > 6 ? ', …' : ''}`,
        ),
      );
    panel.append(list);
  }
  const findings = v.findings.filter((f) => f.code !== 'pickle-dangerous-import');
  if (findings.length) {
    const list = el(doc, 'div', undefined, 'picklens-list');
    for (const f of findings.slice(0, 6))
      list.append(item(doc, f.message, f.severity === 'danger' ? 'picklens-dangerous' : undefined));
    if (findings.length > 6) list.append(item(doc, `and ${findings.length - 6} more (in the report)`));
    panel.append(list);
  }

  const actions = el(doc, 'div', undefined, 'picklens-actions');
  const said = el(doc, 'span', '');
  said.setAttribute('role', 'status');
  const button = (text: string, run: (b: HTMLElement) => Promise<string>) => {
    const b = el(doc, 'button', text);
    b.type = 'button';
    b.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      void run(b).then((t) => (said.textContent = t));
    });
    actions.append(b);
  };
  const first =
    findings[0]?.code ?? (v.imports.some((i) => i.safety === 'dangerous') ? 'pickle-dangerous-import' : '');
  button('Learn more', () =>
    send('openHelp', { anchor: first ? `finding-${first}` : `risk-${v.risk}` }).then(
      () => '',
      () => 'Could not open the help page.',
    ),
  );
  const where = `${location.origin}${location.pathname}`;
  button('Copy report', (b) =>
    copyText(doc, reportMarkdown(path, v, advice, where), b).then((ok) =>
      ok ? 'Report copied (Markdown).' : 'Could not copy.',
    ),
  );
  button('Copy JSON', (b) =>
    copyText(doc, toJsonLine(path, v), b).then((ok) =>
      ok ? 'JSON copied (the CLI’s line).' : 'Could not copy.',
    ),
  );
  actions.append(said);
  panel.append(actions);
}

/** The one floating panel open at a time (a hovered and a focused badge no longer show two). */
let openPanel: { panel: HTMLElement; hide: () => void } | undefined;

/** Puts a floating panel below its badge, or above it near the bottom, always inside the viewport. */
function place(panel: HTMLElement, anchor: HTMLElement): void {
  const win = anchor.ownerDocument.defaultView;
  if (!win) return;
  const r = anchor.getBoundingClientRect();
  const w = panel.offsetWidth;
  const h = panel.offsetHeight;
  const left = Math.max(8, Math.min(r.left, win.innerWidth - w - 8));
  const below = r.bottom + 4;
  const top = below + h <= win.innerHeight - 8 ? below : Math.max(8, r.top - 4 - h);
  panel.style.left = `${Math.round(left)}px`;
  panel.style.top = `${Math.round(top)}px`;
}

export interface Badge {
  root: HTMLElement;
  paint(v: Verdict): void;
}

export function createBadge(doc: Document, path: string, context: () => AdviceContext = () => ({})): Badge {
  ensureStyle(doc);
  const root = el(doc, 'span', undefined, 'picklens-badge');
  const icon = el(doc, 'span', '…', 'picklens-icon');
  const word = el(doc, 'span', 'reading', 'picklens-word');
  const format = el(doc, 'span', '', 'picklens-format');
  icon.setAttribute('aria-hidden', 'true');
  root.tabIndex = 0;
  root.setAttribute('role', 'button');
  root.setAttribute('aria-haspopup', 'dialog');
  root.setAttribute('aria-expanded', 'false');
  root.dataset.picklensPath = path;
  root.dataset.picklensRisk = 'pending';
  root.dataset.picklensFormat = 'pending';
  root.setAttribute('aria-label', `Picklens: reading ${path}`);
  const panel = el(doc, 'div', undefined, 'picklens-panel');
  panel.id = `picklens-panel-${++panels}`;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', `Picklens: ${path}`);
  panel.hidden = true;
  root.setAttribute('aria-controls', panel.id);
  root.append(icon, word, format, panel);
  const pinned = () => root.dataset.picklensPinned === 'true';
  const reposition = () => place(panel, root);
  const hide = () => {
    if (pinned()) return;
    panel.hidden = true;
    root.setAttribute('aria-expanded', 'false');
    if (openPanel?.panel === panel) openPanel = undefined;
    doc.defaultView?.removeEventListener('scroll', reposition, true);
    doc.defaultView?.removeEventListener('resize', reposition);
  };
  let painted: Verdict | undefined;
  const show = () => {
    if (root.dataset.picklensRisk === 'pending') return;
    // The advice names the repo's other files (a safetensors beside this pickle): read them as they are now.
    if (painted && panel.hidden) fillPanel(doc, panel, painted, path, context());
    if (pinned()) {
      panel.hidden = false;
      return;
    }
    if (openPanel && openPanel.panel !== panel) openPanel.hide();
    openPanel = { panel, hide };
    panel.hidden = false;
    root.setAttribute('aria-expanded', 'true');
    reposition();
    doc.defaultView?.addEventListener('scroll', reposition, true);
    doc.defaultView?.addEventListener('resize', reposition);
  };
  root.addEventListener('mouseenter', show);
  root.addEventListener('focus', show);
  root.addEventListener('mouseleave', () => {
    // Focus inside (a button of the panel, or the badge itself) keeps it open.
    if (!root.contains(doc.activeElement)) hide();
  });
  // Where the focus went is read once the move is over: a focus passing through (the copy's textarea,
  // removed again) must not close the panel.
  root.addEventListener('focusout', () => {
    setTimeout(() => {
      if (!root.contains(doc.activeElement) && !root.matches(':hover')) hide();
    }, 0);
  });
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      hide();
      root.focus();
    }
    if (e.target === root && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      if (panel.hidden) show();
      else hide();
    }
  });
  return {
    root,
    paint(v) {
      const r = RISK_HELP[v.risk];
      root.dataset.picklensPath = path;
      root.dataset.picklensRisk = v.risk;
      root.dataset.picklensFormat = v.format;
      icon.textContent = r.icon;
      word.textContent = v.risk;
      format.textContent = `· ${v.format}`;
      root.setAttribute('aria-label', `Picklens: ${path} is ${summary(v)}`);
      root.title = `${r.word}: ${v.format}`;
      painted = v;
      fillPanel(doc, panel, v, path, context());
      if (!panel.hidden && !pinned()) reposition();
    },
  };
}
