// The three peer scanners as processes, for side-by-side numbers (the bench, eval:corpus). Their sources are
// not ours to ship: each runs when this machine has it, named by an environment variable —
//   PICKLESCAN_SRC=/path/to/picklescan/src   (PICKLESCAN_PYTHON, default python3; it imports numpy for .npy)
//   FICKLING_SRC=/path/to/fickling/checkout  (FICKLING_PYTHON, default python3; needs typing_extensions ≥ 4.6)
//   MODELSCAN_SRC=/path/to/modelscan/checkout (MODELSCAN_PYTHON, default python3; needs click, rich, tomlkit,
//                                              numpy)
// Each verdict is read the way ../shared/corpus/README.md recorded the peers' own: picklescan "Infected
// files: N>0", fickling's check-safety severity LIKELY_UNSAFE or worse, modelscan exit 1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PICKLESCAN_SRC = process.env.PICKLESCAN_SRC;

let compiled = false;

/**
 * picklescan's bytecode, written once into its source folder, as `pip install` does: without it (a source
 * checkout, or PYTHONDONTWRITEBYTECODE set) every run would compile its modules first and be timed for it.
 */
function compilePicklescan(python: string): void {
  if (compiled || !PICKLESCAN_SRC) return;
  compiled = true;
  spawnSync(python, ['-m', 'compileall', '-q', PICKLESCAN_SRC], { stdio: 'ignore' });
}

/** The command that scans `path` with picklescan, or undefined without PICKLESCAN_SRC. */
export function picklescanCommand(
  path: string,
): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } | undefined {
  if (!PICKLESCAN_SRC) return undefined;
  const cmd = process.env.PICKLESCAN_PYTHON ?? 'python3';
  compilePicklescan(cmd);
  return {
    cmd,
    args: ['-m', 'picklescan', '-p', path],
    env: { ...process.env, PYTHONPATH: PICKLESCAN_SRC },
  };
}

/** A peer's word on one file: dangerous or not, or that it could not scan it (and why). */
export type PeerSays = { dangerous: boolean } | { error: string };

export const PEERS = ['picklescan', 'fickling', 'modelscan'] as const;
export type Peer = (typeof PEERS)[number];

/** Which peers this machine can run. */
export function availablePeers(): Peer[] {
  return PEERS.filter((p) => process.env[`${p.toUpperCase()}_SRC`]);
}

const DANGEROUS_SEVERITIES = new Set(['LIKELY_UNSAFE', 'LIKELY_OVERTLY_MALICIOUS', 'OVERTLY_MALICIOUS']);

export function peerSays(peer: Peer, path: string): PeerSays | undefined {
  const src = process.env[`${peer.toUpperCase()}_SRC`];
  if (!src) return undefined;
  const python = process.env[`${peer.toUpperCase()}_PYTHON`] ?? 'python3';
  const env = { ...process.env, PYTHONPATH: src };
  const run = (args: string[]) => spawnSync(python, args, { env, encoding: 'utf8', timeout: 120_000 });
  if (peer === 'picklescan') {
    const c = picklescanCommand(path);
    const r = c && spawnSync(c.cmd, c.args, { env: c.env, encoding: 'utf8', timeout: 120_000 });
    if (!r) return undefined;
    return { dangerous: /Infected files: [1-9]/.test(r.stdout + r.stderr) };
  }
  if (peer === 'fickling') {
    const dir = mkdtempSync(join(tmpdir(), 'picklens-fickling-'));
    try {
      const out = join(dir, 'result.json');
      const r = run(['-m', 'fickling', '--check-safety', '--json-output', out, path]);
      try {
        const severity = (JSON.parse(readFileSync(out, 'utf8')) as { severity?: string }).severity ?? '';
        return { dangerous: DANGEROUS_SEVERITIES.has(severity) };
      } catch {
        return { error: (r.stderr || r.stdout).trim().split('\n')[0] ?? `exit ${r.status}` };
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const r = run(['-m', 'modelscan.cli', '-p', path]);
  if (r.status === 0 || r.status === 1) return { dangerous: r.status === 1 };
  return { error: `exit ${r.status}: ${(r.stdout + r.stderr).trim().split('\n').at(-1) ?? ''}` };
}
