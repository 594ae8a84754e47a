// Conversion checks in the browser, on the rough replica (hydration that removes what Picklens painted, the
// Xet bridge, CloudFront's bogus 416s): every case of test/fixtures/conversion gets its verdict on its PR
// page; the discussions list runs a check from a button, by keyboard; the chip of a pickle-only repo says
// whether the waiting conversion checks out; the check is recorded on the PR's record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import type { PullRequestRecord } from '../../lib/db/schema';
import { BROWSER_CDN, hubHostRules, launchWithExtension, type Launched } from '../support/browser';
import { hydrated, idbAll } from '../support/hub-page';
import {
  benchConversionRepo,
  conversionManifest,
  conversionRepos,
  hugeHeaderRepo,
} from '../hub/conversion-repos';
import type { RepoSpec } from '../hub/repos';
import { startReplica, type Replica } from '../hub/server';

let hub: Replica;
let b: Launched;
let page: Page;

beforeAll(async () => {
  hub = await startReplica({
    repos: [
      ...conversionRepos(),
      benchConversionRepo(),
      hugeHeaderRepo(),
      // The tied case again, under names no other test opens.
      ...['list-check', 'chip-check'].map((name) => ({
        ...(conversionRepos().find((r) => r.id === 'conversion/tied') as RepoSpec),
        id: `conversion/${name}`,
      })),
    ],
    cdnOrigin: BROWSER_CDN,
  });
  b = await launchWithExtension(hubHostRules(hub.port));
  page = await b.browser.newPage();
});
afterAll(async () => {
  await b?.close();
  await hub?.close();
});

/** The PR page's panel once the check is done (after the page's last hydration pass). */
async function checked(p: Page): Promise<{ verdict: string; text: string; kinds: string[] }> {
  await hydrated(p);
  await p.waitForFunction(
    () => {
      const s = document.querySelector<HTMLElement>('section.picklens-verify');
      return s && s.dataset.picklensVerify !== 'pending';
    },
    { timeout: 30_000, polling: 100 },
  );
  return p.$eval('section.picklens-verify', (s) => ({
    verdict: s.dataset.picklensVerify ?? '',
    text: s.textContent ?? '',
    kinds: [...s.querySelectorAll<HTMLElement>('li[data-picklens-kind]')].map(
      (li) => li.dataset.picklensKind ?? '',
    ),
  }));
}

describe('the PR page of a conversion', () => {
  for (const c of [
    ...conversionManifest().cases,
    { name: 'bench-1g', verdict: 'equivalent-with-ties', kinds: [] as string[] },
    { name: 'huge-header', verdict: 'unverifiable', kinds: [] as string[] },
  ]) {
    it(`conversion/${c.name}: ${c.verdict}`, async () => {
      await page.goto(`https://huggingface.co/conversion/${c.name}/discussions/1`, {
        waitUntil: 'domcontentloaded',
      });
      const r = await checked(page);
      expect(r.verdict, r.text).toBe(c.verdict);
      expect([...new Set(r.kinds)].sort()).toEqual([...c.kinds].sort());
      // One panel, right after the title that carries the bot's mark, however often the page hydrated.
      expect(await page.$$eval('section.picklens-verify', (s) => s.length)).toBe(1);
      expect(
        await page.$eval(
          'section.picklens-verify',
          (s) => s.previousElementSibling?.querySelector('.picklens-pr') !== null,
        ),
      ).toBe(true);
      if (c.verdict.startsWith('equivalent'))
        expect(r.text).toContain(
          `from_pretrained("conversion/${c.name}", revision="refs/pr/1", use_safetensors=True)`,
        );
      else expect(r.text).not.toContain('from_pretrained');
    });
  }

  it('says what differs in words, and is recorded on the PR', async () => {
    await page.goto('https://huggingface.co/conversion/tie-undeclared/discussions/1', {
      waitUntil: 'domcontentloaded',
    });
    const r = await checked(page);
    expect(r.text).toContain('differs from the checkpoint');
    expect(r.text).toContain(
      '"lm_head.weight" is missing from the conversion; in the checkpoint it shares its storage with "embed_tokens.weight"',
    );
    const prs = await idbAll<PullRequestRecord>(b.worker, 'pullRequests');
    const rec = prs.find((p) => p.repoKey.endsWith('conversion/tie-undeclared'));
    expect(rec?.verification).toMatchObject({ verdict: 'differs', differenceCount: 1 });
    // The mark in the title says it too.
    expect(await page.$eval('.picklens-pr', (m) => m.textContent)).toBe(
      'SFconvertbot conversion · open · differs from the checkpoint',
    );
  });

  it('"Check again" works from the keyboard', async () => {
    await page.goto('https://huggingface.co/conversion/sharded/discussions/1', {
      waitUntil: 'domcontentloaded',
    });
    await checked(page);
    const before = hub.log.length;
    await page.focus('section.picklens-verify [data-picklens-verify-again]');
    await page.keyboard.press('Enter');
    const r = await checked(page);
    expect(r.verdict).toBe('equivalent');
    // Checked anew: files were read again.
    expect(hub.log.slice(before).some((l) => l.path.includes('/resolve/'))).toBe(true);
  });
});

describe('elsewhere', () => {
  it('the discussions list: a button checks a PR not yet checked, by keyboard, and the mark says the verdict', async () => {
    await page.goto('https://huggingface.co/conversion/untied/discussions', {
      waitUntil: 'domcontentloaded',
    });
    await hydrated(page);
    // untied was checked on its PR page above: its mark says so, and no button is offered.
    await page.waitForSelector('.picklens-pr[data-picklens-verify="equivalent"]');
    expect(await page.$$('[data-picklens-verify-button]')).toHaveLength(0);
    // A repo whose PR nobody opened: a button, reached and pressed from the keyboard.
    await page.goto('https://huggingface.co/conversion/list-check/discussions', {
      waitUntil: 'domcontentloaded',
    });
    await hydrated(page);
    await page.waitForSelector('[data-picklens-verify-button="1"]');
    await page.focus('[data-picklens-verify-button="1"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.picklens-pr[data-picklens-verify="equivalent-with-ties"]', {
      timeout: 30_000,
    });
    expect(await page.$eval('.picklens-pr', (m) => m.textContent)).toBe(
      'SFconvertbot conversion · open · verified equivalent, except declared ties',
    );
    expect(await page.$$('[data-picklens-verify-button]')).toHaveLength(0);
    // The plain discussion (#2) gets no mark and no button.
    expect(
      await page.$$eval('.picklens-pr', (m) => m.map((e) => (e as HTMLElement).dataset.picklensPrNum)),
    ).toEqual(['1']);
  });

  it('the chip of a pickle-only repo: safetensors waiting in PR #1, and whether it checks out', async () => {
    await page.goto('https://huggingface.co/conversion/chip-check', { waitUntil: 'domcontentloaded' });
    await hydrated(page);
    await page.waitForSelector('.picklens-chip[data-picklens-pr-verify="equivalent-with-ties"]', {
      timeout: 30_000,
    });
    const text = await page.$eval('.picklens-chip[data-picklens-chip]', (c) => c.textContent ?? '');
    expect(text).toContain('pickle only');
    expect(text).toContain('safetensors waiting in PR #1 — verified equivalent, except declared ties');
  }, 60_000);
});
