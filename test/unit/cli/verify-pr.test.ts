// `npm run scan -- --hub ORG/NAME --verify-pr N` against the rough replica (Xet redirects, bogus 416s,
// 401 for missing repos): every conversion case gets its verdict, exit code and JSON contract (DESIGN.md);
// the 1 GB pair costs at most 1 MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnReplica } from '../../support/capture';
import { main } from '../../../lib/cli/scan';
import { VERIFY_BUDGET } from '../../../lib/formats/conversion';
import {
  benchConversionRepo,
  conversionManifest,
  conversionRepos,
  hugeHeaderRepo,
} from '../../hub/conversion-repos';
import type { CommitSpec, DiscussionSpec, FileContent, RepoSpec } from '../../hub/repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
beforeAll(async () => {
  const tied = conversionRepos().find((r) => r.id === 'conversion/tied') as RepoSpec;
  const pr = tied.discussions?.[0] as DiscussionSpec;
  const main = tied.commits[0] as CommitSpec;
  hub = await startReplica({
    repos: [
      ...conversionRepos(),
      benchConversionRepo(),
      hugeHeaderRepo(),
      // The same conversion in a gated repo, and under names outside transformers' (the converter's
      // convert_generic: X.bin → X.safetensors beside it).
      { ...tied, id: 'conversion/gated', gated: 'manual' },
      {
        ...tied,
        id: 'conversion/generic-names',
        commits: [{ ...main, files: { 'weights/ema.bin': main.files['pytorch_model.bin'] as FileContent } }],
        discussions: [
          { ...pr, files: { 'weights/ema.safetensors': pr.files?.['model.safetensors'] as FileContent } },
        ],
      },
    ],
  });
});
afterAll(async () => hub?.close());

const run = (...args: string[]) => runOnReplica(main, hub, args);

const CONTRACT = [
  'repo',
  'pr',
  'verdict',
  'tensors',
  'compared',
  'sampledBytes',
  'differences',
  'requests',
  'bytesRead',
];
const EXIT = { equivalent: 0, 'equivalent-with-ties': 0, differs: 1, unverifiable: 2 } as const;

describe('scan --hub --verify-pr', () => {
  for (const c of conversionManifest().cases) {
    it(`conversion/${c.name} #1: ${c.verdict}, exit ${EXIT[c.verdict]}`, async () => {
      const { code, out } = await run('--hub', `conversion/${c.name}`, '--verify-pr', '1', '--json');
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      const r = JSON.parse(lines[0] as string) as Record<string, unknown> & {
        differences: { tensor: string; kind: string; detail: string }[];
      };
      for (const k of CONTRACT) expect(r, k).toHaveProperty(k);
      expect(r).toMatchObject({
        repo: `conversion/${c.name}`,
        pr: 1,
        verdict: c.verdict,
        status: c.status,
        bot: true,
      });
      expect([...new Set(r.differences.map((d) => d.kind))].sort()).toEqual([...c.kinds].sort());
      for (const d of r.differences) expect(Object.keys(d).sort()).toEqual(['detail', 'kind', 'tensor']);
      if (c.verdict === 'unverifiable') expect(r.reason).toEqual(expect.any(String));
      else expect(r).not.toHaveProperty('reason');
      expect(code).toBe(EXIT[c.verdict]);
    });
  }

  it('says it in words without --json: the verdict, the cost, how to use the PR without merging', async () => {
    const { code, out, err } = await run('--hub', 'conversion/tied', '--verify-pr', '1');
    expect(code).toBe(0);
    expect(out).toContain(
      'conversion/tied #1 (open, SFconvertbot): verified equivalent, except declared ties',
    );
    expect(out).toContain('tie: lm_head.weight is embed_tokens.weight (declared)');
    expect(out).toMatch(/cost: \d+ requests \(\d+ to the API\), [\d.]+ KiB read/);
    expect(out).toMatch(/20 tensors compared by name, dtype and shape; 20 sampled in both files/);
    expect(out).toContain('from_pretrained("conversion/tied", revision="refs/pr/1", use_safetensors=True)');
    expect(err).toMatch(/\[headers 2\/2\]/);
    const differs = await run('--hub', 'conversion/value-changed', '--verify-pr', '1');
    expect(differs.out).toMatch(
      /value: layers\.1\.attn\.q_proj\.weight\[0, 0\] is -?[\d.]+ in the checkpoint and -?[\d.]+ in the conversion/,
    );
    expect(differs.out).not.toContain('from_pretrained');
  });

  it('a 1 GB checkpoint and its 1 GB conversion: every tensor sampled, at most 1 MiB read', async () => {
    const { code, out } = await run('--hub', 'conversion/bench-1g', '--verify-pr', '1', '--json');
    const r = JSON.parse(out) as { verdict: string; tensors: number; compared: number; bytesRead: number };
    expect(code).toBe(0);
    expect(r.verdict).toBe('equivalent-with-ties');
    expect(r.tensors).toBe(conversionManifest().bench.tensors);
    expect(r.compared).toBe(r.tensors);
    expect(r.bytesRead).toBeLessThanOrEqual(VERIFY_BUDGET);
  });

  it('a gated repo says so; files outside transformers names pair as the converter names them', async () => {
    const gated = await run('--hub', 'conversion/gated', '--verify-pr', '1', '--json');
    expect(gated.code).toBe(2);
    expect(JSON.parse(gated.out)).toMatchObject({ verdict: 'unverifiable', reasonCode: 'gated' });
    const generic = await run('--hub', 'conversion/generic-names', '--verify-pr', '1', '--json');
    expect(generic.code).toBe(0);
    expect(JSON.parse(generic.out)).toMatchObject({
      verdict: 'equivalent-with-ties',
      files: [
        { path: 'weights/ema.safetensors', role: 'converted' },
        { path: 'weights/ema.bin', role: 'original' },
      ],
      usage: 'hf_hub_download("conversion/generic-names", "weights/ema.safetensors", revision="refs/pr/1")',
    });
  });

  it('bad input: a huge header, a discussion that is no PR, a repo that does not exist, bad usage', async () => {
    const huge = await run('--hub', 'conversion/huge-header', '--verify-pr', '1', '--json');
    expect(huge.code).toBe(2);
    expect(JSON.parse(huge.out)).toMatchObject({ verdict: 'unverifiable', reasonCode: 'header-too-large' });
    const talk = await run('--hub', 'conversion/tied', '--verify-pr', '2', '--json');
    expect(JSON.parse(talk.out)).toMatchObject({
      verdict: 'unverifiable',
      reasonCode: 'not-a-conversion-pr',
    });
    const none = await run('--hub', 'nobody/nothing', '--verify-pr', '1', '--json');
    expect(none.code).toBe(2);
    expect(JSON.parse(none.out)).toMatchObject({ verdict: 'unverifiable', reasonCode: 'unreadable' });
    expect((JSON.parse(none.out) as { reason: string }).reason).toMatch(/no such repo/);
    const missing = await run('--hub', 'conversion/tied', '--verify-pr', '9', '--json');
    expect(JSON.parse(missing.out)).toMatchObject({ verdict: 'unverifiable', reasonCode: 'unreadable' });
    for (const args of [
      ['--hub', 'conversion/tied', '--verify-pr', 'x'],
      ['--hub', 'conversion/tied', '--verify-pr'],
      ['--hub', 'conversion/tied@main', '--verify-pr', '1'],
      ['--verify-pr', '1'],
      ['--hub', 'conversion/tied', '--budget', '100'],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage:/);
    }
  });
});
