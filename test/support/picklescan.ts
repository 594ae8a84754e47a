// picklescan as a process, for side-by-side numbers (the bench, eval:corpus). Its source (the `src` folder:
// the `picklescan` package, standard library only) is not ours to ship: it runs when this machine has it,
// `PICKLESCAN_SRC=/path/to/picklescan/src`, with the Python in `PICKLESCAN_PYTHON` (default `python3`;
// picklescan imports numpy for .npy files).

export const PICKLESCAN_SRC = process.env.PICKLESCAN_SRC;

/** The command that scans `path` with picklescan, or undefined without PICKLESCAN_SRC. */
export function picklescanCommand(
  path: string,
): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } | undefined {
  if (!PICKLESCAN_SRC) return undefined;
  return {
    cmd: process.env.PICKLESCAN_PYTHON ?? 'python3',
    args: ['-m', 'picklescan', '-p', path],
    env: { ...process.env, PYTHONPATH: PICKLESCAN_SRC },
  };
}
