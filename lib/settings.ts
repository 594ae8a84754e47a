// The user's settings: which features paint, whether every file is scanned, how many reads at once.
export interface Settings {
  treeBadges: boolean;
  blobPanel: boolean;
  repoChip: boolean;
  prMarks: boolean;
  /** Scan every file of a tree, not only model files (by extension, or extensionless ≥ 1 KB). */
  scanEverything: boolean;
  /** Header reads in flight per page. */
  concurrency: number;
}

export const DEFAULT_SETTINGS: Settings = {
  treeBadges: true,
  blobPanel: true,
  repoChip: true,
  prMarks: true,
  scanEverything: false,
  concurrency: 6,
};
const MAX_CONCURRENCY = 16;

/** Keeps only known keys with values of the right type, within bounds. */
export function sanitizeSettings(raw: unknown): Settings {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: Settings = { ...DEFAULT_SETTINGS };
  for (const key of ['treeBadges', 'blobPanel', 'repoChip', 'prMarks', 'scanEverything'] as const)
    if (typeof o[key] === 'boolean') out[key] = o[key];
  if (typeof o.concurrency === 'number' && Number.isInteger(o.concurrency))
    out.concurrency = Math.min(MAX_CONCURRENCY, Math.max(1, o.concurrency));
  return out;
}
