// The content script's stylesheet: every dark-mode colour is scoped to `:root.dark` (a rule without it
// leaked a dark chip border into light mode), no rule is written twice, and the risk colours are readable
// (text on its background at least 4.5:1, WCAG AA) and told apart (each risk's background its own), in
// light and in dark, with an icon per risk.
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { RISK_STYLE, ensureStyle } from '../../../entrypoints/hub.content/badge';
import { RISK_HELP } from '../../../lib/formats/explain';
import { RISKS } from '../../../lib/formats/types';

/** WCAG 2.x relative luminance and contrast ratio of two #rrggbb colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}
/** Distance between two colours in RGB (0–441): under ~60 they read as the same colour at badge size. */
function distance(a: string, b: string): number {
  const ch = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const [x, y] = [ch(a), ch(b)];
  return Math.hypot(...x.map((v, i) => v - (y[i] ?? 0)));
}

describe('badge stylesheet', () => {
  it('dark colours only under :root.dark; no rule twice', () => {
    const w = new Window({ url: 'https://huggingface.co/' });
    const doc = w.document as unknown as Document;
    ensureStyle(doc);
    const css = doc.getElementById('picklens-style')?.textContent ?? '';
    const rules = css
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(rules.length).toBeGreaterThan(10);
    expect(new Set(rules).size).toBe(rules.length);
    // The dark theme's backgrounds (not a solid risk colour shared by both themes) never reach light mode.
    const shared = new Set(RISKS.map((r) => RISK_STYLE[r].light.bg));
    const darkOnly = Object.values(RISK_STYLE)
      .flatMap((s) => [s.dark.bg, s.dark.border])
      .filter((c) => !shared.has(c) && luminance(c) < 0.1);
    darkOnly.push('#111827');
    for (const r of rules)
      if (darkOnly.some((c) => r.includes(`background:${c}`) || r.includes(`border-color:${c}`)))
        if (!r.startsWith('.picklens-panel{')) expect(r, r.slice(0, 60)).toMatch(/^:root\.dark /);
    // Every risk has its rule in both themes.
    for (const r of RISKS) {
      expect(css).toContain(`.picklens-badge[data-picklens-risk=${r}]{color:${RISK_STYLE[r].light.fg}`);
      expect(css).toContain(
        `:root.dark .picklens-badge[data-picklens-risk=${r}]{color:${RISK_STYLE[r].dark.fg}`,
      );
    }
  });

  it('every risk: text on its background ≥ 4.5:1, its background distinct from every other risk, an icon', () => {
    for (const mode of ['light', 'dark'] as const) {
      for (const r of [...RISKS, 'pending' as const]) {
        const { fg, bg } = RISK_STYLE[r][mode];
        expect(contrast(fg, bg), `${mode} ${r}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
      for (const a of RISKS)
        for (const b of RISKS)
          if (a < b)
            expect(
              distance(RISK_STYLE[a][mode].bg, RISK_STYLE[b][mode].bg),
              `${mode}: ${a} and ${b} look alike`,
            ).toBeGreaterThan(60);
    }
    // Colour is never the only signal: each risk has its own icon.
    const icons = RISKS.map((r) => RISK_HELP[r].icon);
    expect(new Set(icons).size).toBe(RISKS.length);
  });
});
