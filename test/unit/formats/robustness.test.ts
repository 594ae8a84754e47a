// Bad input gets a verdict, never a throw or a hang: random bytes and mutations of every fixture.
// `npm run fuzz` pushes 1,000,000 inputs through the same harness; npm test runs the short version here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../lib/formats/classify';
import { memorySource } from '../../../lib/formats/bytes';
import { RISKS } from '../../../lib/formats/types';
import { FIXTURES_DIR } from '../../support/fixtures';
import { fuzz } from '../../support/fuzz';

const fixtures = readdirSync(FIXTURES_DIR).map((f) => readFileSync(join(FIXTURES_DIR, f)));

async function verdictOf(b: Uint8Array): Promise<string> {
  const v = await classify(memorySource(b), { name: 'x.bin' });
  expect(RISKS).toContain(v.risk);
  expect(v.bytesRead).toBeLessThanOrEqual(b.length * 2 + 64);
  return v.risk;
}

describe('hostile input', () => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (b) => void (await verdictOf(b))),
      { numRuns: 500, seed: 1 },
    );
  });

  it('fixtures with bytes flipped, cut short or spliced', async () => {
    const mutation = fc.record({
      file: fc.nat({ max: fixtures.length - 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.nat()),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ file, flips, cut }) => {
        const src = fixtures[file] ?? new Uint8Array(0);
        const b = new Uint8Array(src);
        for (const [at, value] of flips) if (b.length) b[at % b.length] = value;
        await verdictOf(cut === null || !b.length ? b : b.subarray(0, cut % b.length));
      }),
      { numRuns: 1500, seed: 2 },
    );
  });

  it('the fuzz harness, short: 5,000 mutated inputs, no throw, no slow input', async () => {
    const report = await fuzz(5000, 42);
    expect(report.failures).toEqual([]);
    expect(report.slow).toEqual([]);
    expect(report.inputs).toBe(5000);
  });
});
