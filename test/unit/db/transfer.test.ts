// Export and import: the zip's CSVs in the study's shape, the JSON dump, and an import that restores exactly
// and merges without duplicates.
import 'fake-indexeddb/auto';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  handleClearData,
  handleLogVisit,
  handleRefreshConversionPrs,
} from '../../../lib/background/handlers';
import { collectHistory, hubVerdictReader } from '../../../lib/background/history';
import { openPicklensDb, RECORD_STORES, type PicklensDb } from '../../../lib/db/schema';
import {
  DUMP_FILE,
  ImportError,
  csvField,
  exportZip,
  importDump,
  parseImport,
  readDump,
  type Dump,
} from '../../../lib/db/transfer';
import { HubApi, RateGovernor } from '../../../lib/hub/api';
import { Verifier } from '../../../lib/background/verify';
import { STUDY_CLASSES } from '../../../lib/stats/study';
import { replicaFetch } from '../../support/replica-client';
import { checkZip } from '../../support/zip-check';
import { sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
beforeAll(async () => {
  hub = await startReplica({ repos: sampleRepos() });
});
afterAll(async () => {
  await hub?.close();
});

const STUDY_CLASSES_OR_UNDETERMINED: string[] = [...STUDY_CLASSES, 'undetermined'];

let n = 0;
async function recorded(): Promise<PicklensDb> {
  const db = await openPicklensDb(`transfer-${++n}`);
  const fetch = replicaFetch(hub.cert);
  const api = new HubApi({ endpoint: hub.url, fetch });
  for (const id of ['picklens/history', 'picklens/pickle-only']) {
    const repo = { type: 'model' as const, id };
    await handleLogVisit(db, { repo, url: `https://huggingface.co/${id}`, page: 'home' }, 1000 + n);
    await handleRefreshConversionPrs(db, api, repo, 2000);
    // A conversion check is kept on the PR's record, and a later refresh of the PRs keeps it.
    if (id === 'picklens/pickle-only') {
      await new Verifier(db, api, new RateGovernor(), fetch).verify(repo, 1);
      await handleRefreshConversionPrs(db, api, repo, 2500);
    }
    await collectHistory(db, api, repo, {
      readVerdict: hubVerdictReader(hub.url, { fetch }),
      now: () => 3000,
    });
  }
  return db;
}

/** Every store's records, sorted by their key, for a field-by-field comparison. */
async function snapshot(db: PicklensDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const s of RECORD_STORES) {
    const keys = await db.getAllKeys(s);
    const values = await db.getAll(s);
    out[s] = values
      .map((v, i) => [JSON.stringify(keys[i]), v] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, v]) => v);
  }
  return out;
}

describe('export', () => {
  it('a zip with the study-shaped CSVs and the full dump', async () => {
    const db = await recorded();
    const zip = exportZip(await readDump(db));
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([
      'README.txt',
      'commits.csv',
      DUMP_FILE,
      'pull_requests.csv',
      'repos.csv',
    ]);
    const commits = strFromU8(files['commits.csv']!).trimEnd().split('\r\n');
    expect(commits[0]).toBe(
      'repo_url,commit_hash,file_path,format,commit_date,commit_author,commit_title,bot_merge,picklens_format,risk,size,content_key,extension_lies,files_inferred,study_format',
    );
    // Read by a CSV parser that is not ours (papaparse): every row whole, and the study's class on each file.
    const parsed = Papa.parse<Record<string, string>>(strFromU8(files['commits.csv']!), {
      header: true,
      skipEmptyLines: true,
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(commits.length - 1);
    const classOf = (path: string) =>
      new Set(
        parsed.data
          .filter((r) => r.repo_url === 'https://huggingface.co/picklens/history' && r.file_path === path)
          .map((r) => r.study_format),
      );
    expect(classOf('model.safetensors')).toEqual(new Set(['safetensors']));
    expect(classOf('tf_model.h5')).toEqual(new Set(['h5/hdf5']));
    // pytorch_model.bin: the legacy format first (R5 "pytorch"), then torch.save zips — torch.save for both.
    expect(classOf('pytorch_model.bin')).toEqual(new Set(['torch.save']));
    expect(parsed.data.every((r) => STUDY_CLASSES_OR_UNDETERMINED.includes(r.study_format ?? ''))).toBe(true);
    // The conversion tool's merge is known as such on its commit record (the study's test: its message).
    const dump = JSON.parse(strFromU8(files[DUMP_FILE]!)) as Dump;
    expect(
      dump.stores.commits.filter((c) => c.repoKey === 'model:picklens/history' && c.tool).map((c) => c.title),
    ).toEqual(['Adding `safetensors` variant of this model (#1)']);
    // history: 5 model-file rows over its 7 commits (1+1+2+3+3 files), then pickle-only's rows.
    const history = commits.filter((l) => l.startsWith('https://huggingface.co/picklens/history,'));
    expect(history).toHaveLength(0 + 1 + 1 + 2 + 3 + 3 + 3);
    expect(history.some((l) => /,model\.safetensors,safetensors,.*,true,safetensors,safe,/.test(l))).toBe(
      true,
    );
    // Every member's CRC and size in the central directory are right (checked with Node's zlib).
    expect(checkZip(zip).map((m) => [m.name, m.ok])).toEqual(
      ['README.txt', 'commits.csv', 'pull_requests.csv', 'repos.csv', DUMP_FILE].map((n) => [n, true]),
    );
    const prs = strFromU8(files['pull_requests.csv']!).trimEnd().split('\r\n');
    expect(prs[0]).toBe(
      'repo_url,num,title,author,created_at,status,status_history,verification,verified_at,status_by,status_by_staff',
    );
    expect(prs).toContain(
      'https://huggingface.co/picklens/history,3,Adding `safetensors` variant of this model,SFconvertbot,2024-02-02T09:00:00.000Z,open,open@1970-01-01T00:00:02.000Z,,,,',
    );
    // Who merged PR #1, from the Hub's status-change event: the owner, not Hub staff (`isHf` false).
    expect(prs.find((l) => l.startsWith('https://huggingface.co/picklens/history,1,'))).toMatch(
      /,merged,.*,alice,false$/,
    );
    // The pickle-only repo's PR was checked (its legacy-format checkpoint and its conversion agree).
    expect(prs.find((l) => l.includes('picklens/pickle-only,1,'))).toMatch(/,equivalent,\d{4}-\d\d-\d\dT/);
    expect(strFromU8(files['repos.csv']!).split('\r\n')[1]).toMatch(
      /^https:\/\/huggingface\.co\/picklens\/history,model,picklens\/history,1,/,
    );
  });

  it('zip members deflated apart: CRC-32 as zlib computes it, and a container strict readers accept', async () => {
    const { crc32: zlibCrc } = await import('node:zlib');
    const { crc32, deflateMember, zipMembers } = await import('../../../lib/db/zip-members');
    const text = strToU8('repo_url,commit_hash\r\n'.repeat(5000));
    const binary = new Uint8Array(100_000).map((_, i) => (i * 131) & 255);
    expect(crc32(text)).toBe(zlibCrc(text));
    expect(crc32(binary)).toBe(zlibCrc(binary));
    expect(crc32(new Uint8Array(0))).toBe(0);
    const zip = zipMembers([
      deflateMember({ name: 'a.csv', bytes: text }),
      deflateMember({ name: 'b.bin', bytes: binary }),
    ]);
    expect(checkZip(zip)).toEqual([
      { name: 'a.csv', crc: zlibCrc(text), size: text.length, ok: true },
      { name: 'b.bin', crc: zlibCrc(binary), size: binary.length, ok: true },
    ]);
  });

  it('CSV fields: quoted when needed, formulas from untrusted text defused', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField(-1)).toBe('-1'); // numbers are numbers
    expect(csvField(undefined)).toBe('');
  });
});

describe('import', () => {
  it('export → clear → import restores every record, field by field', async () => {
    const db = await recorded();
    const before = await snapshot(db);
    const rowsBefore = await db.getAll('studyRows');
    expect(rowsBefore.map((r) => r.repoKey)).toEqual([
      'model:picklens/history',
      'model:picklens/pickle-only',
    ]);
    const zip = exportZip(await readDump(db));
    await handleClearData(db);
    for (const s of RECORD_STORES) expect(await db.count(s)).toBe(0);
    expect(await db.count('studyRows')).toBe(0);
    const counts = await importDump(db, parseImport(zip));
    expect(counts.commits.added).toBe((before.commits ?? []).length);
    expect(await snapshot(db)).toEqual(before);
    // The derived rows the stats page reads are rebuilt by the import, identical.
    expect(await db.getAll('studyRows')).toEqual(rowsBefore);
  });

  it('importing the same dump twice adds nothing; into another record it merges', async () => {
    const db = await recorded();
    const dump = await readDump(db);
    const before = await snapshot(db);
    const again = await importDump(db, parseImport(exportZip(dump)));
    for (const s of RECORD_STORES) expect(again[s].added).toBe(0);
    expect(await snapshot(db)).toEqual(before);

    // Another browser saw PR #3 closed later, and visited once more.
    const other: Dump = structuredClone(dump);
    const pr = other.stores.pullRequests.find((p) => p.num === 3 && p.repoKey === 'model:picklens/history')!;
    pr.history.push({ status: 'closed', at: 9000 });
    pr.status = 'closed';
    other.stores.visits.push({ repoKey: 'model:picklens/history', url: 'u2', page: 'tree', at: 9001 });
    const r = other.stores.repos.find((x) => x.repoKey === 'model:picklens/history')!;
    r.lastVisit = 9001;
    r.visits = 2;
    const merged = await importDump(db, other);
    expect(merged.visits.added).toBe(1);
    expect(await db.get('pullRequests', ['model:picklens/history', 3])).toMatchObject({
      status: 'closed',
      history: [
        { status: 'open', at: 2000 },
        { status: 'closed', at: 9000 },
      ],
    });
    expect(await db.get('repos', 'model:picklens/history')).toMatchObject({ visits: 2, lastVisit: 9001 });
    expect(await db.count('visits')).toBe((before.visits ?? []).length + 1);
  });

  it('an imported verdict is restored but never trusted for a badge; a local read replaces it', async () => {
    const { handleGetVerdict, handlePutVerdict } = await import('../../../lib/background/handlers');
    const { verdictKey } = await import('../../../lib/background/handlers');
    const db = await openPicklensDb(`transfer-${++n}`);
    const dump = await readDump(db);
    const forged = {
      paper: 'safetensors' as const,
      format: 'safetensors' as const,
      risk: 'safe' as const,
      imports: [],
      findings: [],
      details: {},
      bytesRead: 8,
      requests: 1,
    };
    dump.stores.verdicts.push({
      key: verdictKey('sha256:evil'),
      contentKey: 'sha256:evil',
      engine: '0.2.0',
      verdict: forged,
      at: 1,
    });
    await importDump(db, dump);
    expect(await db.get('verdicts', verdictKey('sha256:evil'))).toMatchObject({ verdict: forged });
    expect(await handleGetVerdict(db, 'sha256:evil')).toBeNull();
    const local = {
      ...forged,
      paper: 'pickle' as const,
      format: 'pickle' as const,
      risk: 'dangerous' as const,
    };
    await handlePutVerdict(db, {
      contentKey: 'sha256:evil',
      verdict: local,
      repo: { type: 'model', id: 'a/b' },
      rev: 'main',
      path: 'x.safetensors',
    });
    expect(await handleGetVerdict(db, 'sha256:evil')).toEqual(local);
  });

  it('records repeated within one dump are merged, not doubled', async () => {
    const db = await openPicklensDb(`transfer-${++n}`);
    const dump = await readDump(db);
    const repo = {
      repoKey: 'model:a/b',
      type: 'model' as const,
      id: 'a/b',
      firstVisit: 5,
      lastVisit: 9,
      visits: 2,
    };
    dump.stores.repos.push(repo, { ...repo, firstVisit: 3, lastVisit: 7, visits: 4 });
    const pr = {
      repoKey: 'model:a/b',
      num: 1,
      title: 't',
      author: 'SFconvertbot',
      createdAt: '2023-01-01T00:00:00Z',
      status: 'open',
      history: [{ status: 'open', at: 1 }],
    };
    dump.stores.pullRequests.push(pr, { ...pr, status: 'merged', history: [{ status: 'merged', at: 2 }] });
    const counts = await importDump(db, dump);
    expect(counts.repos).toEqual({ added: 1, merged: 1 });
    expect(await db.getAll('repos')).toEqual([{ ...repo, firstVisit: 3, lastVisit: 9, visits: 4 }]);
    expect(await db.getAll('pullRequests')).toEqual([
      {
        ...pr,
        status: 'merged',
        history: [
          { status: 'open', at: 1 },
          { status: 'merged', at: 2 },
        ],
      },
    ]);
  });

  it('reports progress on large imports', async () => {
    const db = await openPicklensDb(`transfer-${++n}`);
    const dump = await readDump(db);
    for (let i = 0; i < 4500; i++)
      dump.stores.visits.push({ repoKey: 'model:a/b', url: `u${i}`, page: 'home', at: i });
    const calls: [number, number][] = [];
    const counts = await importDump(db, dump, (done, total) => calls.push([done, total]));
    expect(calls).toEqual([
      [2000, 4500],
      [4000, 4500],
    ]);
    expect(counts.visits.added).toBe(4500);
  });

  it('a mutated export is refused with an ImportError or imports whole and reads back without a throw', async () => {
    const { modelHistory, repoFindings, studyStats, parseStudyRows } =
      await import('../../../lib/stats/repo-view');
    const base = await readDump(await recorded());
    let seed = 7;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    const junk = [
      null,
      0,
      -1,
      1e308,
      '',
      'x',
      '<img src=x onerror=alert(1)>',
      [],
      {},
      true,
      [null],
      { a: 1 },
    ];
    let refused = 0;
    let imported = 0;
    for (let i = 0; i < 300; i++) {
      const d = structuredClone(base) as unknown as Record<string, unknown>;
      // Walk to a random value and replace it.
      let node: unknown = d;
      let parent: Record<string, unknown> | unknown[] = d;
      let key: string | number = 'stores';
      for (let depth = 0; depth < 1 + rnd(6); depth++) {
        if (node === null || typeof node !== 'object') break;
        const keys = Array.isArray(node) ? node.map((_, j) => j) : Object.keys(node);
        if (!keys.length) break;
        parent = node as Record<string, unknown>;
        key = keys[rnd(keys.length)]!;
        node = (parent as Record<string | number, unknown>)[key];
      }
      (parent as Record<string | number, unknown>)[key] = junk[rnd(junk.length)];
      let dump: Dump;
      try {
        dump = parseImport(strToU8(JSON.stringify(d)));
      } catch (e) {
        expect(e).toBeInstanceOf(ImportError);
        refused++;
        continue;
      }
      const db = await openPicklensDb(`fuzz-${i}`);
      await importDump(db, dump);
      const commits = await db.getAll('commits');
      studyStats(parseStudyRows(await db.getAll('studyRows')), await db.getAll('pullRequests'), {});
      for (const key of new Set(commits.map((c) => c.repoKey))) {
        const list = commits.filter((c) => c.repoKey === key);
        modelHistory(list);
        repoFindings(list);
      }
      exportZip(await readDump(db));
      db.close();
      imported++;
    }
    expect(refused).toBeGreaterThan(50);
    expect(imported).toBeGreaterThan(50);
  });

  it('what is not an export is refused with a clear message', () => {
    const bad: [Uint8Array, RegExp][] = [
      [new Uint8Array([1, 2, 3]), /^This file is not a Picklens export: import the zip/],
      [strToU8('{"format":"other"}'), /not a Picklens export/],
      [strToU8('{"format":"picklens-dump","version":99,"stores":{}}'), /newer/],
      [strToU8('{"format":"picklens-dump","version":1,"stores":{"repos":[{"repoKey":1}]}}'), /repos\[0\]/],
      [zipSync({ 'a.txt': strToU8('x') }), /no picklens\.json/],
      [new Uint8Array([0x50, 0x4b, 1, 2, 3]), /zip/],
    ];
    for (const [bytes, message] of bad) {
      expect(() => parseImport(bytes)).toThrow(ImportError);
      expect(() => parseImport(bytes)).toThrow(message);
    }
  });
});
