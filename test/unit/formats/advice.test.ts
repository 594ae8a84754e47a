// What to do, for real verdicts of the fixtures (written by the real libraries): each format's advice, the
// safer file beside it, every finding code explained, and the Markdown report safe with hostile names.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviceFor } from '../../../lib/formats/advice';
import { FINDING_HELP, RISK_HELP } from '../../../lib/formats/explain';
import { reportMarkdown } from '../../../lib/formats/report';
import { FINDING_CODES, RISKS } from '../../../lib/formats/types';
import { FIXTURES_DIR, classifyFile } from '../../support/fixtures';

const verdict = (name: string) => classifyFile(join(FIXTURES_DIR, name), name);
const said = async (name: string, ctx = {}) =>
  adviceFor(await verdict(name), name, ctx)
    .map((a) => `${a.say}${a.code ? ` | ${a.code}` : ''}`)
    .join('\n');

describe('advice', () => {
  it('each format says how to load it without running code, or not to load it', async () => {
    expect(await said('model.safetensors')).toContain('safetensors.torch.load_file("model.safetensors")');
    expect(await said('numeric.npy')).toContain('numpy.load("numeric.npy", allow_pickle=False)');
    expect(await said('object.npy')).toMatch(/only with allow_pickle=True/);
    expect(await said('lambda.keras')).toMatch(/Lambda layer holds Python code.*safe_mode=True/s);
    expect(await said('keras_lambda.h5')).toContain('safe_mode=True');
    expect(await said('torch_state_dict.pt')).toMatch(
      /would load it.*torch\.load\("torch_state_dict\.pt", weights_only=True\)$/s,
    );
    expect(await said('torch_malicious.pt')).toMatch(/^Do not load it: it calls posix\.system/);
    expect(await said('torch_malicious.pt')).toContain('# refuses it');
    expect(await said('zlib.joblib')).toMatch(/joblib\.load runs the file's pickle, and has no safe mode/);
    expect(await said('torch_jit.pt')).toMatch(/TorchScript program/);
    expect(await said('tiny-v3.gguf')).toMatch(/GGUF readers/);
    expect(await said('pointer.bin')).toMatch(/Git LFS pointer/);
    expect(await said('truncated.safetensors')).toMatch(/^Do not load it: the file breaks its own format/);
  });

  it('a dangerous or unsafe file points at the safetensors beside it, else at the bot’s PR', async () => {
    expect(await said('os_system.pkl', { safetensors: ['model.safetensors'] })).toContain(
      "Use the repo's safetensors file instead: model.safetensors.",
    );
    expect(await said('os_system.pkl', { conversionPr: 7 })).toContain('revision="refs/pr/7"');
    // A safe file gets no alternative; a file is never its own alternative.
    expect(await said('model.safetensors', { safetensors: ['model.safetensors'] })).not.toContain('instead');
  });

  it('every risk and every finding code has its plain words; every risk its own icon', () => {
    for (const c of FINDING_CODES) expect(FINDING_HELP[c], c).toMatch(/^[A-Z].{15,}\.$/);
    for (const r of RISKS) expect(RISK_HELP[r].meaning.length, r).toBeGreaterThan(40);
    expect(new Set(RISKS.map((r) => RISK_HELP[r].icon)).size).toBe(RISKS.length);
  });

  it('the Markdown report: risk first, each import once, hostile names kept inert', async () => {
    const v = await verdict('os_system.pkl');
    const name = 'evil`](javascript:alert(1))<img src=x>\n# heading.pkl';
    const md = reportMarkdown(name, v, adviceFor(v, name), 'https://huggingface.co/x/y/tree/main');
    expect(md.split('\n')[0]).toBe(
      '### Picklens: `evil ](javascript:alert(1))<img src=x> # heading.pkl` — ✖ Dangerous (pickle)',
    );
    expect(md).not.toMatch(/\n# heading/);
    expect(md.match(/`posix\.system`/g)).toHaveLength(1);
    expect(md).not.toContain('pickle-dangerous-import');
  });
});
