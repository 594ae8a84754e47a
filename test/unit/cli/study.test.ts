// `npm run study` against the rough replica: the sample repos and a batch of 50 collected with the
// extension's own code, the measures by the study's definitions (checked here against the repos' specs, not
// Picklens's code), a second run that resumes from --out without a call for a repo already recorded, the
// export zip that re-imports into the extension's database to the same measures, and bad input refused.
import 'fake-indexeddb/auto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnReplica } from '../../support/capture';
import { main, measuresOf } from '../../../lib/cli/study';
import { openPicklensDb } from '../../../lib/db/schema';
import { importDump, parseImport } from '../../../lib/db/transfer';
import { batchRepos, sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

const specs = [...sampleRepos(), ...batchRepos(50)];
const ids = ['picklens/history', 'picklens/pickle-only', ...batchRepos(50).map((r) => r.id)];
let hub: Replica;
let dir: string;
beforeAll(async () => {
  hub = await startReplica({ repos: specs });
  dir = await mkdtemp(join(tmpdir(), 'picklens-study-'));
});
afterAll(async () => hub?.close());

const run = (...args: string[]) => runOnReplica(main, hub, args);

type Measures = Awaited<ReturnType<typeof measuresOf>>;

describe('npm run study', () => {
  let first: Measures;

  it('collects 52 repos and prints the measures as one JSON object (DESIGN.md)', async () => {
    const r = await run(...ids, '--out', dir, '--json');
    expect(r.code, r.err).toBe(0);
    first = JSON.parse(r.out) as Measures;
    expect(Object.keys(first).sort()).toEqual(
      [
        'commits',
        'keptPickles',
        'pullRequests',
        'repos',
        'safetensorsCommits',
        'yearlyShares',
        'picklens',
      ].sort(),
    );
    expect(first.repos).toBe(52);
    // The PRs, counted from the repos' specs (SFconvertbot, a pull request, the bot's title).
    const prs = specs
      .filter((s) => ids.includes(s.id))
      .flatMap((s) => s.discussions ?? [])
      .filter(
        (d) => d.isPullRequest && d.author === 'SFconvertbot' && d.title.startsWith('Adding `safetensors`'),
      );
    expect(first.pullRequests).toEqual({
      total: prs.length,
      open: prs.filter((d) => d.status === 'open').length,
      merged: prs.filter((d) => d.status === 'merged').length,
      closed: prs.filter((d) => d.status === 'closed').length,
      draft: prs.filter((d) => d.status === 'draft').length,
    });
    // Who merged them, from the specs' status-change events (the replica sends the Hub's `isHf`).
    const merged = prs.filter((d) => d.status === 'merged');
    const setter = (d: (typeof prs)[number]) => d.events?.filter((e) => e.status === d.status).pop();
    expect(first.picklens.mergedBy).toEqual({
      staff: merged.filter((d) => setter(d)?.authorIsHf === true).length,
      others: merged.filter((d) => setter(d) && !setter(d)?.authorIsHf).length,
      unknown: merged.filter((d) => !setter(d)).length,
    });
    expect(first.picklens.mergedBy.staff).toBeGreaterThan(0);
    expect(first.picklens.mergedBy.others).toBeGreaterThan(0);
    expect(first.picklens.mergedBy.unknown).toBeGreaterThan(0);
    // Commits, counted from the specs: every commit of every repo.
    expect(first.commits).toBe(
      specs.filter((s) => ids.includes(s.id)).reduce((n, s) => n + s.commits.length, 0),
    );
    for (const y of first.yearlyShares) {
      const sum = Object.values(y.percent).reduce((a, b) => a + b, 0);
      expect(y.files ? sum : 100).toBeCloseTo(100, 6);
    }
    expect(r.err).toMatch(/^\[1\/52\] picklens\/history: \d+ commits$/m);
  });

  it('resumes from --out: a second run calls nothing for a repo already recorded, and says the same', async () => {
    hub.log.length = 0;
    const r = await run(...ids, '--out', dir, '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain('resumed from');
    expect(hub.log.filter((l) => l.path.startsWith('/api/'))).toHaveLength(0);
    expect(JSON.parse(r.out)).toEqual(first);
  });

  it("its export zip re-imports into the extension's database to the same measures", async () => {
    const db = await openPicklensDb('study-reimport');
    await importDump(db, parseImport(new Uint8Array(await readFile(join(dir, 'picklens-export.zip')))));
    expect(await measuresOf(db)).toEqual(first);
    db.close();
  });

  it('the table: the measures beside the study published values', async () => {
    const r = await run(...ids, '--out', dir);
    expect(r.out).toMatch(/^repos 52, commits \d+$/m);
    expect(r.out).toMatch(/the study: 98\.7%/);
    expect(r.out).toMatch(/the study: 83\.5%/);
    expect(r.out).toMatch(/^ +2023 +\d+ /m);
    expect(r.out).toMatch(
      /^days from the safetensors release \(2022-09-22\) to a repo's first safetensors commit \(the study: first 6\): first \d+, median \d+, 80% by \d+ \(\d+ repos\)$/m,
    );
    expect(r.out).toMatch(/^merged SFconvertbot PRs, by whom: Hub staff \d+, others \d+, not known \d+$/m);
  });

  it('a repo that fails is reported (exit 1), the others collected; bad input is refused before any call', async () => {
    const out = await mkdtemp(join(tmpdir(), 'picklens-study-'));
    const r = await run('picklens/history', 'nobody/nothing', '--out', out, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nobody\/nothing: failed: /);
    expect((JSON.parse(r.out) as Measures).repos).toBe(1);
    // Ids from a file, one per line, commas allowed.
    const list = join(out, 'repos.txt');
    await writeFile(list, 'picklens/history,\nhttps://huggingface.co/picklens/pickle-only\n');
    const fromFile = await run('--repos', list, '--out', out, '--json');
    expect(fromFile.code).toBe(0);
    expect((JSON.parse(fromFile.out) as Measures).repos).toBe(2);
    hub.log.length = 0;
    for (const args of [
      [],
      ['not a repo id at all'],
      ['picklens/history', '--frobnicate'],
      ['x/y', '--endpoint'],
    ]) {
      const bad = await run(...args, '--out', out);
      expect(bad.code, args.join(' ')).toBe(2);
    }
    expect(hub.log).toHaveLength(0);
  });
});
