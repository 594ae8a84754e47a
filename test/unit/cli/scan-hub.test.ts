// `npm run scan -- --hub` against the replica gives the same verdicts as scanning the same files locally.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture } from '../../support/capture';
import { main } from '../../../lib/cli/scan';
import { FIXTURES_DIR } from '../../support/fixtures';
import { replicaFetch } from '../../support/replica-client';
import { sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

type Line = { path: string; paper: string; format: string; risk: string; imports: unknown[] };
type RepoLine = {
  repo: string;
  rev: string;
  code: {
    autoMap: { config: string; auto: string; file: string; repo?: string }[];
    pythonFiles: string[];
    findings: { code: string; severity: string; message: string }[];
  };
};
const all = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line | RepoLine);
/** The file lines; the repo's code line (the last, with "repo" and no "path") is left out. */
const lines = (text: string) => all(text).filter((l): l is Line => 'path' in l);
const repoLine = (text: string) => all(text).filter((l): l is RepoLine => 'repo' in l);
const key = (l: Line) => JSON.stringify([l.paper, l.format, l.risk, l.imports]);

let https: Replica;
let http: Replica;
let local: Map<string, string>;

beforeAll(async () => {
  https = await startReplica({ repos: sampleRepos() });
  http = await startReplica({ repos: sampleRepos(), protocol: 'http' });
  const out = new Capture();
  await main(['--json', FIXTURES_DIR], out, new Capture());
  local = new Map(lines(out.text).map((l) => [l.path.slice(FIXTURES_DIR.length + 1), key(l)]));
});
afterAll(async () => {
  await https?.close();
  await http?.close();
});

describe('npm run scan -- --hub', () => {
  it('over TLS, in process: every model file, with the local verdicts', async () => {
    const out = new Capture();
    const err = new Capture();
    const code = await main(
      ['--hub', 'picklens/fixtures', '--endpoint', https.url, '--json'],
      out,
      err,
      replicaFetch(https.cert),
    );
    const remote = lines(out.text);
    expect(code).toBe(1); // the fixtures include dangerous files
    expect(remote.length).toBeGreaterThan(35);
    for (const r of remote) expect(key(r), r.path).toBe(local.get(r.path));
    expect(err.text).toMatch(new RegExp(`\\[${remote.length}/${remote.length}\\]`));
    // Model files only: README.md and empty.bin (no extension match / too small) are left out.
    expect(remote.map((r) => r.path)).not.toContain('README.md');
  });

  it('as a process, against an http endpoint, with --all', async () => {
    const root = resolve(FIXTURES_DIR, '../../..');
    const child = spawn(
      'npm',
      [
        'run',
        '--silent',
        'scan',
        '--',
        '--hub',
        'picklens/fixtures@main',
        '--endpoint',
        http.url,
        '--all',
        '--json',
      ],
      { cwd: root },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(1);
    const remote = lines(stdout);
    expect(remote.map((r) => r.path).sort()).toEqual([...local.keys()].sort());
    for (const r of remote) expect(key(r), r.path).toBe(local.get(r.path));
  });

  it("the repo's code: auto_map to its .py files, and a class from another repo (exit 1)", async () => {
    const out = new Capture();
    const code = await main(
      ['--hub', 'picklens/remote-code', '--endpoint', https.url, '--json'],
      out,
      new Capture(),
      replicaFetch(https.cert),
    );
    expect(code).toBe(1); // the weights are safe; the remote tokenizer class is not
    expect(lines(out.text).map((l) => [l.path, l.risk])).toEqual([['model.safetensors', 'safe']]);
    const [repo, ...more] = repoLine(out.text);
    expect(more).toEqual([]);
    expect(all(out.text).at(-1)).toEqual(repo);
    expect(repo?.repo).toBe('picklens/remote-code');
    expect(repo?.code.pythonFiles).toEqual(['configuration_tiny.py', 'modeling_tiny.py']);
    expect(repo?.code.autoMap.map((e) => [e.config, e.auto, e.file, e.repo])).toEqual([
      ['config.json', 'AutoConfig', 'configuration_tiny.py', undefined],
      ['config.json', 'AutoModel', 'modeling_tiny.py', undefined],
      ['tokenizer_config.json', 'AutoTokenizer', 'tokenization_tiny.py', 'other-org/tokenizers'],
    ]);
    expect(repo?.code.findings.map((f) => [f.code, f.severity])).toEqual([
      ['repo-auto-map', 'warning'],
      ['repo-auto-map-remote', 'danger'],
      ['repo-python-files', 'warning'],
    ]);

    const table = new Capture();
    await main(
      ['--hub', 'picklens/remote-code', '--endpoint', https.url],
      table,
      new Capture(),
      replicaFetch(https.cert),
    );
    expect(table.text).toContain(
      "code: config.json maps AutoConfig, AutoModel to this repo's code: from_pretrained(…, trust_remote_code=True) imports and runs configuration_tiny.py, modeling_tiny.py",
    );
    expect(table.text).toMatch(
      /^code: auto_map takes code from another repo: other-org\/tokenizers\/tokenization_tiny\.py/m,
    );
  });

  it('a repo without code says so; its config is read, nothing else', async () => {
    const table = new Capture();
    expect(
      await main(
        ['--hub', 'picklens/history', '--endpoint', https.url],
        table,
        new Capture(),
        replicaFetch(https.cert),
      ),
    ).toBe(0);
    expect(table.text).toMatch(/^code: no Python files and no auto_map$/m);
  });

  it('exit 2 with a clear message for a missing repo or a bad argument', async () => {
    const err = new Capture();
    expect(
      await main(
        ['--hub', 'nobody/nothing', '--endpoint', https.url],
        new Capture(),
        err,
        replicaFetch(https.cert),
      ),
    ).toBe(2);
    expect(err.text).toContain('repo-not-found');
    expect(await main(['--hub'], new Capture(), new Capture())).toBe(2);
    expect(await main(['--hub', 'a/b/c/d'], new Capture(), new Capture())).toBe(2);
    expect(await main(['--endpoint', 'ftp://x', FIXTURES_DIR], new Capture(), new Capture())).toBe(2);
  });

  it('datasets and a gated repo', async () => {
    const out = new Capture();
    expect(
      await main(
        ['--hub', 'datasets/datasets-org/data', '--endpoint', https.url, '--json'],
        out,
        new Capture(),
        replicaFetch(https.cert),
      ),
    ).toBe(0);
    expect(lines(out.text).map((l) => [l.path, l.format, l.risk])).toEqual([
      ['data/train.npz', 'npz', 'safe'],
    ]);
    const gated = new Capture();
    await main(
      ['--hub', 'picklens/gated', '--endpoint', https.url, '--json'],
      gated,
      new Capture(),
      replicaFetch(https.cert),
    );
    expect(lines(gated.text).map((l) => [l.path, l.risk])).toEqual([['model.safetensors', 'unknown']]);
  });
});
