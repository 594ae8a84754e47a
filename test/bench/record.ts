// The local record at scale: 10,000 repos and 200,000 file records (commit × model file) in the extension's
// IndexedDB, in Chromium. Measured: the stats page from navigation to its tables, the export zip, the
// import of that zip, and the popup's repo view, each against its target (issue 6, DESIGN.md "Targets").
import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { CommitFile, CommitRecord, PullRequestRecord, RepoRecord } from '../../lib/db/schema';
import { DB_VERSION } from '../../lib/db/schema';
import { DUMP_FILE, DUMP_FORMAT, DUMP_VERSION, type Dump } from '../../lib/db/transfer';
import { classify } from '../../lib/formats/classify';
import { memorySource } from '../../lib/formats/bytes';
import { ENGINE_VERSION, type Verdict } from '../../lib/formats/types';
import { studyStats } from '../../lib/stats/repo-view';
import { studyAnalysis } from '../../lib/stats/study';
import { launchWithExtension } from '../support/browser';

export const REPOS = 10_000;
export const FILE_RECORDS = 200_000;

/** A small deterministic PRNG (mulberry32), so every run measures the same record. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

/** 10,000 repos with 4 commits each, 5 model files per commit on average (200,000 file records). */
export async function syntheticDump(): Promise<Dump> {
  const r = rng(20261123);
  const pickleVerdict: Verdict = await classify(memorySource(new Uint8Array([0x80, 2, 0x4e, 0x2e])));
  const commits: CommitRecord[] = [];
  const repos: RepoRecord[] = [];
  const prs: PullRequestRecord[] = [];
  const verdicts: Dump['stores']['verdicts'] = [];
  const now = Date.now();
  let fileRecords = 0;
  for (let i = 0; i < REPOS; i++) {
    const org = `org${Math.floor(r() * 800)}`;
    const key = `model:${org}/model-${i}`;
    const start = Date.UTC(2021, 0, 1) + r() * 4 * 365 * 86_400_000;
    const shards = 1 + Math.floor(r() * 4);
    const converts = r() < 0.6;
    let files: CommitFile[] = [];
    for (let c = 0; c < 4; c++) {
      const date = new Date(start + c * 30 * 86_400_000 * (1 + r() * 6)).toISOString();
      if (c === 0 || (c === 1 && !converts)) {
        files = Array.from({ length: shards + 1 }, (_, s) => ({
          path: s === shards ? 'training_args.bin' : `pytorch_model-0000${s + 1}.bin`,
          size: 400_000_000,
          contentKey: `sha256:${hex(r, 64)}`,
          paper: 'torch.save' as const,
          format: 'torch-zip' as const,
          risk: 'unsafe' as const,
        }));
      } else if (c === 1 && converts) {
        files = [
          ...files,
          ...Array.from({ length: shards }, (_, s) => ({
            path: `model-0000${s + 1}.safetensors`,
            size: 400_000_000,
            contentKey: `sha256:${hex(r, 64)}`,
            paper: 'safetensors' as const,
            format: 'safetensors' as const,
            risk: 'safe' as const,
          })),
        ];
      }
      // Commits 2 and 3 keep the files (README and config changes), as most commits do.
      commits.push({
        repoKey: key,
        sha: hex(r, 40),
        date,
        author: c === 1 && converts && r() < 0.9 ? 'SFconvertbot' : `user${i}`,
        title: c === 1 && converts ? 'Adding `safetensors` variant of this model (#1)' : `Update ${c}`,
        files,
      });
      fileRecords += files.length;
    }
    repos.push({
      repoKey: key,
      type: 'model',
      id: `${org}/model-${i}`,
      firstVisit: i < 2000 ? now - 86_400_000 : 0,
      lastVisit: i < 2000 ? now : 0,
      visits: i < 2000 ? 1 : 0,
      history: { at: now, head: commits[commits.length - 1]!.sha, commits: 4, truncated: false, unread: 0 },
    });
    if (r() < 0.5) {
      const x = r();
      const status = x < 0.835 ? 'open' : x < 0.974 ? 'merged' : 'closed';
      prs.push({
        repoKey: key,
        num: 1,
        title: 'Adding `safetensors` variant of this model',
        author: 'SFconvertbot',
        createdAt: new Date(start + 86_400_000).toISOString(),
        status,
        history: [{ status, at: now }],
      });
    }
    if (i < 20_000)
      verdicts.push({
        key: `sha256:${hex(r, 64)}@${ENGINE_VERSION}`,
        contentKey: `sha256:${hex(r, 64)}`,
        engine: ENGINE_VERSION,
        verdict: pickleVerdict,
        at: now,
      });
  }
  // Trim or pad the last commits' files so the record holds exactly FILE_RECORDS file records.
  for (let j = commits.length - 1; fileRecords !== FILE_RECORDS && j >= 0; j--) {
    const c = commits[j]!;
    if (fileRecords > FILE_RECORDS && c.files.length > 1) {
      const drop = Math.min(c.files.length - 1, fileRecords - FILE_RECORDS);
      c.files = c.files.slice(0, c.files.length - drop);
      fileRecords -= drop;
    } else if (fileRecords < FILE_RECORDS) {
      const add = Math.min(10, FILE_RECORDS - fileRecords);
      c.files = [...c.files, ...Array.from({ length: add }, (_, k) => ({ path: `extra/${k}.bin`, size: 1 }))];
      fileRecords += add;
    }
  }
  return {
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    schema: DB_VERSION,
    engine: ENGINE_VERSION,
    exportedAt: new Date(now).toISOString(),
    stores: { verdicts, files: [], repos, visits: [], pullRequests: prs, commits },
  };
}

interface Row {
  measure: string;
  ms: number;
  target?: number;
}

export async function recordBench(): Promise<string> {
  execSync('npx wxt build', { stdio: 'ignore' });
  const dump = await syntheticDump();
  const fileRecords = dump.stores.commits.reduce((n, c) => n + c.files.length, 0);
  const dir = mkdtempSync(join(tmpdir(), 'picklens-bench-'));
  const input = join(dir, 'record.zip');
  writeFileSync(input, zipSync({ [DUMP_FILE]: strToU8(JSON.stringify(dump)) }, { level: 1 }));
  const t0 = performance.now();
  studyStats(dump.stores.commits, dump.stores.pullRequests, {});
  const computeMs = performance.now() - t0;
  const t1 = performance.now();
  studyAnalysis(dump.stores.commits, dump.stores.pullRequests);
  const studyMs = performance.now() - t1;

  const b = await launchWithExtension();
  const rows: Row[] = [];
  try {
    const page = await b.browser.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    const stats = `chrome-extension://${b.extensionId}/stats.html`;
    await page.goto(stats);
    await page.waitForSelector('input[name="import"]');
    const ti = performance.now();
    await (await page.$('input[name="import"]'))!.uploadFile(input);
    await page.waitForFunction(
      () =>
        /^(Imported|Not imported|Import failed)/.test(
          document.querySelector('[data-status]')?.textContent ?? '',
        ),
      {
        timeout: 300_000,
        polling: 'mutation',
      },
    );
    rows.push({ measure: 'import the 10,000-repo export (zip → IndexedDB)', ms: performance.now() - ti });
    const status = await page.$eval('[data-status]', (e) => e.textContent ?? '');
    if (!status.startsWith('Imported')) throw new Error(status);

    // The stats page: navigation to tables on screen, 3 runs, median.
    const renders: number[] = [];
    const inPage: number[] = [];
    const figures: number[] = [];
    for (let k = 0; k < 3; k++) {
      const tr = performance.now();
      await page.goto(stats);
      await page.waitForSelector('table[data-table="shares"] tbody tr', {
        timeout: 60_000,
        polling: 'mutation',
      } as never);
      renders.push(performance.now() - tr);
      inPage.push(Number(await page.evaluate(() => document.body.dataset.renderedMs)));
      // Then every figure drawn by Plot (each non-empty figure holds its SVG).
      await page.waitForFunction(
        () =>
          document.querySelectorAll(
            '[data-figure]:not(:has([data-empty])) figcaption ~ div > :is(svg, figure)',
          ).length === document.querySelectorAll('[data-figure]:not(:has([data-empty]))').length,
        { timeout: 60_000 },
      );
      figures.push(Number(await page.evaluate(() => document.body.dataset.figureAt)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    rows.push({
      measure: 'stats page: navigation → tables on screen (median of 3)',
      ms: median(renders),
      target: 1000,
    });
    rows.push({ measure: '  of which: read IndexedDB + aggregates + render (in page)', ms: median(inPage) });
    rows.push({
      measure: 'stats page: navigation → every figure drawn (median of 3)',
      ms: median(figures),
      target: 1000,
    });
    rows.push({
      measure: '  of which: read IndexedDB (last run)',
      ms: Number(await page.evaluate(() => document.body.dataset.readMs)),
    });
    rows.push({ measure: '  the aggregates alone, in Node', ms: computeMs });
    rows.push({ measure: "  the study's measures alone, in Node", ms: studyMs });

    // Export: click → zip built, 3 runs, median (the phases of the median run).
    const exports: { ms: number; phases: Record<string, number> }[] = [];
    for (let k = 0; k < 3; k++) {
      await page.evaluate(() => delete document.body.dataset.exportMs);
      const te = performance.now();
      await page.click('xpath/.//button[starts-with(text(), "Export")]');
      await page.waitForFunction(() => document.body.dataset.exportMs !== undefined, {
        timeout: 120_000,
        polling: 'mutation',
      });
      exports.push({
        ms: performance.now() - te,
        phases: JSON.parse(
          (await page.evaluate(() => document.body.dataset.exportTimings)) ?? '{}',
        ) as Record<string, number>,
      });
    }
    exports.sort((a, b) => a.ms - b.ms);
    const mid = exports[1]!;
    rows.push({
      measure: `export: click → zip built (median of 3; ${exports.map((e) => e.ms.toFixed(0)).join(', ')} ms)`,
      ms: mid.ms,
      target: 5000,
    });
    const exportBytes = Number(await page.evaluate(() => document.body.dataset.exportBytes));
    for (const [name, ms] of Object.entries(mid.phases)) rows.push({ measure: `  of which: ${name}`, ms });

    // The popup's repo view for one repo among 10,000.
    const popupTimes: number[] = [];
    for (let k = 0; k < 3; k++) {
      const tp = performance.now();
      await page.goto(
        `chrome-extension://${b.extensionId}/popup.html?repo=${encodeURIComponent(dump.stores.repos[k * 3000]!.repoKey)}`,
      );
      await page.waitForSelector('table[data-table="history"] tbody tr', { polling: 'mutation' } as never);
      popupTimes.push(performance.now() - tp);
    }
    rows.push({
      measure: 'popup: open → repo history on screen (median of 3)',
      ms: median(popupTimes),
      target: 200,
    });

    let zip: string | undefined;
    for (let k = 0; k < 50 && !zip; k++) {
      zip = readdirSync(dir).find((f) => f.startsWith('picklens-export'));
      if (!zip) await new Promise((res) => setTimeout(res, 100));
    }
    const size = zip ? statSync(join(dir, zip)).size : exportBytes;
    const lines = [
      `Local record at scale: ${dump.stores.repos.length} repos, ${dump.stores.commits.length} commits, ${fileRecords} file records, ${dump.stores.pullRequests.length} PRs, ${dump.stores.verdicts.length} verdicts (Chromium, IndexedDB)`,
      '',
      `| ${'measure'.padEnd(70)} | ${'Picklens'.padStart(10)} | ${'target'.padStart(8)} | ${'target ÷ measured'.padStart(17)} |`,
      `|${'-'.repeat(72)}|${'-'.repeat(12)}|${'-'.repeat(10)}|${'-'.repeat(19)}|`,
      ...rows.map(
        (x) =>
          `| ${x.measure.padEnd(70)} | ${`${x.ms.toFixed(0)} ms`.padStart(10)} | ${(x.target ? `${x.target} ms` : '').padStart(8)} | ${(x.target ? `${(x.target / x.ms).toFixed(1)}×` : '').padStart(17)} |`,
      ),
      '',
      `Export zip: ${(size / 1024 / 1024).toFixed(1)} MiB.`,
    ];
    return lines.join('\n');
  } finally {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
