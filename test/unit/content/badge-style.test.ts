// The content script's stylesheet: every dark-mode colour is scoped to `:root.dark` (a rule without it
// leaked a dark chip border into light mode), and no rule is written twice.
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { ensureStyle } from '../../../entrypoints/hub.content/badge';

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
    const dark = ['#111827', '#374151', '#022c22', '#451a03', '#431407'];
    for (const r of rules)
      if (dark.some((c) => r.includes(c)) && !r.startsWith('.picklens-panel{'))
        expect(r, r.slice(0, 60)).toMatch(/^:root\.dark /);
  });
});
