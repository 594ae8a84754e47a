// picklescan as a process, for side-by-side numbers (the bench, eval:corpus). Its source (the `src` folder:
// the `picklescan` package, standard library only) is not ours to ship: it runs when this machine has it,
// `PICKLESCAN_SRC=/path/to/picklescan/src`, with the Python in `PICKLESCAN_PYTHON` (default `python3`;
// picklescan imports numpy for .npy files).

import { spawnSync } from 'node:child_process';

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
