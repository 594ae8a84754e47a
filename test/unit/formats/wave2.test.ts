// Issue 13's own corpus (test/fixtures/wave2, written by its generate.py with the real libraries): every
// malicious file was seen to run its harmless payload under the real loader when generated, every benign file
// to load. Malicious files must be dangerous; benign ones get their expected verdict and are never dangerous.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateEscapes } from '../../../lib/formats/gguf';
import { classifyFile, readWave2Manifest, WAVE2_DIR } from '../../support/fixtures';

const rows = readWave2Manifest();

describe('wave 2 corpus (issue 13)', () => {
  it('lists every file it holds, each verified under its loader', () => {
    expect(rows.map((r) => r.file).sort()).toEqual(readdirSync(join(WAVE2_DIR, 'files')).sort());
    expect(rows.every((r) => r.verified)).toBe(true);
    expect(rows.some((r) => r.kind === 'malicious') && rows.some((r) => r.kind === 'benign')).toBe(true);
  });

  it('ONNX: external data outside the folder, and a custom operator domain, are findings of their own', async () => {
    const codes = async (f: string) =>
      (await classifyFile(join(WAVE2_DIR, 'files', f), f)).findings.map((x) => x.code);
    expect(await codes('onnx_external_outside.onnx')).toContain('onnx-external-data-outside');
    expect(await codes('onnx_custom_domain.onnx')).toEqual(['onnx-custom-domain']);
    expect(await codes('onnx_external_beside.onnx')).toEqual([]);
  });

  it('GGUF: a chat template that reaches Python objects is dangerous; ChatML stays a caution', async () => {
    const codes = async (f: string) =>
      (await classifyFile(join(WAVE2_DIR, 'files', f), f)).findings.map((x) => x.code);
    expect(await codes('gguf_template_escape.gguf')).toContain('gguf-template-escape');
    expect(await codes('gguf_template_chatml.gguf')).toEqual(['gguf-chat-template']);
  });

  it('templateEscapes: dunders, escaped underscores, the attr filter and process calls; not chat formatting', () => {
    expect(
      templateEscapes("{% if message['role'] == 'system' %}{{ message['content'] | trim }}{% endif %}"),
    ).toEqual([]);
    expect(templateEscapes("{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}")).toEqual([
      'an escaped underscore (\\x5f)',
      'the attr filter',
    ]);
    expect(templateEscapes("{{ cycler.__init__.__globals__.os.popen('id').read() }}")).toEqual([
      '__init__',
      '__globals__',
      'popen(',
    ]);
  });

  for (const row of rows)
    it(`${row.file} (${row.kind}: ${row.source}): ${row.format} / ${row.miss ? `${row.missRisk} — known miss: ${row.miss}` : row.risk}`, async () => {
      const v = await classifyFile(join(WAVE2_DIR, 'files', row.file), row.file);
      expect({ format: v.format, risk: v.risk }).toEqual({
        format: row.format,
        risk: row.miss ? row.missRisk : row.risk,
      });
      if (row.kind === 'malicious' && !row.miss) expect(v.risk).toBe('dangerous');
      if (row.kind === 'benign') expect(v.risk).not.toBe('dangerous');
      // What the real torch said of it when it was written.
      if (row.weightsOnly !== undefined) expect(v.weightsOnly).toBe(row.weightsOnly);
    });

  it('a known miss is never called safe or unknown, and is few', () => {
    const misses = rows.filter((r) => r.miss);
    for (const r of misses) expect(['unsafe', 'caution']).toContain(r.missRisk);
    expect(misses.length).toBeLessThan(rows.filter((r) => r.kind === 'malicious').length / 2);
  });
});
