// Command-line arguments, shared by the CLIs (scan, study).

/** `--name value` taken out of argv: the value, null when it is missing, undefined without the option. */
export function takeOption(argv: string[], name: string): string | undefined | null {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  argv.splice(i, 2);
  return value === undefined || value.startsWith('--') ? null : value;
}
