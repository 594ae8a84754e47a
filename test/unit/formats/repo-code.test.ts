// A repo's code risk from its listing and configs (lib/formats/repo-code.ts): what transformers would import
// with trust_remote_code=True, read as data and bounded.
import { describe, expect, it } from 'vitest';
import { autoMapOf, repoCode } from '../../../lib/formats/repo-code';

const codes = (r: ReturnType<typeof repoCode>) => r.findings.map((f) => [f.code, f.severity]);

describe('autoMapOf', () => {
  it('reads Auto classes, tokenizer pairs with a null, repo prefixes and custom pipelines', () => {
    const text = JSON.stringify({
      auto_map: {
        AutoModelForCausalLM: 'modeling_x.XForCausalLM',
        AutoTokenizer: ['tokenization_x.XTokenizer', null],
        AutoConfig: 'org/base--configuration_x.XConfig',
      },
      custom_pipelines: { 'text-classification': { impl: 'pipes.nested.XPipeline', pt: ['AutoModel'] } },
    });
    expect(autoMapOf('config.json', text)).toEqual([
      {
        config: 'config.json',
        auto: 'AutoModelForCausalLM',
        target: 'modeling_x.XForCausalLM',
        file: 'modeling_x.py',
      },
      {
        config: 'config.json',
        auto: 'AutoTokenizer',
        target: 'tokenization_x.XTokenizer',
        file: 'tokenization_x.py',
      },
      {
        config: 'config.json',
        auto: 'AutoConfig',
        target: 'configuration_x.XConfig',
        file: 'configuration_x.py',
        repo: 'org/base',
      },
      {
        config: 'config.json',
        auto: 'pipeline:text-classification',
        target: 'pipes.nested.XPipeline',
        file: 'pipes/nested.py',
      },
    ]);
  });

  it('not a JSON object: undefined; odd values are skipped, not trusted', () => {
    expect(autoMapOf('config.json', '{not json')).toBeUndefined();
    expect(autoMapOf('config.json', '[1, 2]')).toBeUndefined();
    expect(autoMapOf('config.json', 'null')).toBeUndefined();
    const odd = JSON.stringify({
      auto_map: {
        A: 42,
        B: 'no-dot',
        C: 'x'.repeat(400) + '.Y',
        D: { nested: 'a.B' },
        E: '../../etc.passwd',
      },
      custom_pipelines: ['a.B'],
    });
    expect(autoMapOf('config.json', odd)).toEqual([]);
  });

  it('keeps at most 64 entries of a hostile map', () => {
    const auto_map = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`Auto${i}`, `m${i}.C`]));
    expect(autoMapOf('config.json', JSON.stringify({ auto_map }))).toHaveLength(64);
  });
});

describe('repoCode', () => {
  it('a repo with no code and a plain config: no finding', () => {
    const r = repoCode(
      ['config.json', 'model.safetensors'],
      [{ path: 'config.json', text: '{"model_type":"bert"}' }],
    );
    expect(r).toEqual({ autoMap: [], pythonFiles: [], findings: [] });
  });

  it('Python files no config maps to: named, as information', () => {
    const r = repoCode(['train.py', 'scripts/eval.py', 'model.safetensors'], []);
    expect(codes(r)).toEqual([['repo-python-files', 'info']]);
    expect(r.findings[0]?.message).toBe(
      '2 Python file(s): train.py, scripts/eval.py; no config maps a loader to them',
    );
  });

  it('auto_map to a file the listing lacks says so', () => {
    const r = repoCode(
      ['config.json'],
      [{ path: 'config.json', text: '{"auto_map":{"AutoModel":"modeling_y.Y"}}' }],
    );
    expect(codes(r)).toEqual([['repo-auto-map', 'warning']]);
    expect(r.findings[0]?.message).toContain('(not in the listing: modeling_y.py)');
  });

  it('a config not read, or not an object: repo-config-unread', () => {
    const r = repoCode(
      ['config.json', 'tokenizer_config.json'],
      [
        { path: 'config.json', unread: '9000000 bytes, over 4194304' },
        { path: 'tokenizer_config.json', text: '"just a string"' },
      ],
    );
    expect(codes(r)).toEqual([
      ['repo-config-unread', 'info'],
      ['repo-config-unread', 'info'],
    ]);
    expect(r.findings[0]?.message).toContain('was not read (9000000 bytes, over 4194304)');
    expect(r.findings[1]?.message).toContain('is not a JSON object');
  });

  it('names at most eight files, then counts the rest', () => {
    const paths = Array.from({ length: 12 }, (_, i) => `m${i}.py`);
    expect(repoCode(paths, []).findings[0]?.message).toMatch(/m7\.py and 4 more;/);
  });
});
