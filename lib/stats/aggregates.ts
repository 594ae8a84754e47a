// The study's figures over the local record ("An Empirical Study of Safetensors' Usage Trends and
// Developers' Perceptions"): pure functions over plain records, no browser, no database (STYLE.md), so the
// stats page, the exports and the tests compute the same numbers.
import { byDate } from '../dates';
import { CONVERT_MERGE_TITLE, isConvertBot } from '../hub/convert-bot';
import type { PaperLabel } from '../formats/types';

/** One commit of one repo, with the files present after it and each file's study label. */
export interface CommitSnapshot {
  repoKey: string;
  sha: string;
  /** ISO date. */
  date: string;
  author: string;
  title: string;
  files: { path: string; paper: PaperLabel }[];
}

export interface PullRequestState {
  repoKey: string;
  num: number;
  /** ISO date the PR was opened. */
  createdAt: string;
  status: 'open' | 'closed' | 'merged' | 'draft';
}

/** The pickle family of the study's labels: formats whose loading runs a pickle VM. */
export const PICKLE_LABELS: ReadonlySet<PaperLabel> = new Set([
  'torch.save',
  'pytorch',
  'pickle',
  'joblib',
  'dill',
  'torch.jit',
]);

export function isBotMerge(c: Pick<CommitSnapshot, 'author' | 'title'>): boolean {
  return isConvertBot(c.author) || CONVERT_MERGE_TITLE.test(c.title);
}

const year = (iso: string) => iso.slice(0, 4);
const month = (iso: string) => iso.slice(0, 7);

/** Commits grouped by repo, each repo's oldest first. */
export function byRepo<C extends { repoKey: string; date: string }>(commits: C[]): Map<string, C[]> {
  const m = new Map<string, C[]>();
  for (const c of commits) {
    const list = m.get(c.repoKey);
    if (list) list.push(c);
    else m.set(c.repoKey, [c]);
  }
  for (const list of m.values()) list.sort(byDate);
  return m;
}

export interface YearShares {
  year: string;
  /** Repos with at least one commit that year. */
  repos: number;
  /** Repos whose last commit of the year holds at least one file of the label. */
  counts: Partial<Record<PaperLabel, number>>;
}

/**
 * Format shares by year (the study's Fig. 6): for each year, each repo's last commit in that year, and
 * which labels its files carry then. A repo counts once per label whatever its number of such files.
 */
export function formatSharesByYear(commits: CommitSnapshot[]): YearShares[] {
  const years = new Map<string, Map<string, CommitSnapshot>>();
  for (const [repo, list] of byRepo(commits)) {
    for (const c of list) {
      const y = years.get(year(c.date)) ?? new Map<string, CommitSnapshot>();
      y.set(repo, c); // sorted by date: the last one of the year wins
      years.set(year(c.date), y);
    }
  }
  return [...years]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([y, last]) => {
      const counts: Partial<Record<PaperLabel, number>> = {};
      for (const c of last.values())
        for (const label of new Set(c.files.map((f) => f.paper))) counts[label] = (counts[label] ?? 0) + 1;
      return { year: y, repos: last.size, counts };
    });
}

export interface AdoptionPoint {
  month: string;
  /** Commits that added a safetensors file, merged from the conversion bot's PRs. */
  bot: number;
  other: number;
}

/** Commits that add safetensors files over time, the bot's merges apart from the rest (Figs. 4–5). */
export function safetensorsAdditions(commits: CommitSnapshot[]): AdoptionPoint[] {
  const points = new Map<string, AdoptionPoint>();
  for (const list of byRepo(commits).values()) {
    let before = new Set<string>();
    for (const c of list) {
      const now = new Set(c.files.filter((f) => f.paper === 'safetensors').map((f) => f.path));
      if ([...now].some((p) => !before.has(p))) {
        const m = month(c.date);
        const point = points.get(m) ?? { month: m, bot: 0, other: 0 };
        if (isBotMerge(c)) point.bot++;
        else point.other++;
        points.set(m, point);
      }
      before = now;
    }
  }
  return [...points.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}

export interface PrYear {
  year: string;
  open: number;
  closed: number;
  merged: number;
  draft: number;
}

/** SFconvertbot PR states by the year the PR was opened (Fig. 7). */
export function prStatesByYear(prs: PullRequestState[]): PrYear[] {
  const years = new Map<string, PrYear>();
  for (const p of prs) {
    const y = years.get(year(p.createdAt)) ?? {
      year: year(p.createdAt),
      open: 0,
      closed: 0,
      merged: 0,
      draft: 0,
    };
    y[p.status]++;
    years.set(y.year, y);
  }
  return [...years.values()].sort((a, b) => (a.year < b.year ? -1 : 1));
}

export interface KeptPickles {
  /** Repos that added safetensors files at some commit. */
  converted: number;
  /** Of those, repos whose latest commit still holds pickle-family files. */
  keptPickles: number;
}

/** How many converted repos kept their old pickle files (the study: 98.7%). */
export function convertedKeptPickles(commits: CommitSnapshot[]): KeptPickles {
  let converted = 0;
  let keptPickles = 0;
  for (const list of byRepo(commits).values()) {
    const adopted = list.some(
      (c, i) =>
        c.files.some((f) => f.paper === 'safetensors') &&
        (i === 0 || !list[i - 1]?.files.some((f) => f.paper === 'safetensors')) &&
        list.slice(0, i).some((p) => p.files.some((f) => PICKLE_LABELS.has(f.paper))),
    );
    if (!adopted) continue;
    converted++;
    if (list[list.length - 1]?.files.some((f) => PICKLE_LABELS.has(f.paper))) keptPickles++;
  }
  return { converted, keptPickles };
}

interface UnknownFormat {
  format: string;
  /** Repos whose newest commit holds at least one such file. */
  repos: number;
  files: number;
}

/**
 * What R1–R5 call unknown, by what Picklens read in the bytes (GGUF, Keras, ONNX, …; `unread` where no
 * header was read), over each repo's newest commit: the formats the study's labels cannot name. Most files
 * first.
 */
export function unknownByRealFormat(
  commits: {
    repoKey: string;
    date: string;
    files: { path: string; paper?: PaperLabel; format?: string }[];
  }[],
): UnknownFormat[] {
  const out = new Map<string, UnknownFormat>();
  for (const list of byRepo(commits).values()) {
    const newest = list[list.length - 1];
    const seen = new Set<string>();
    for (const f of newest?.files ?? []) {
      if (f.paper && f.paper !== 'unknown') continue;
      const format = f.format ?? 'unread';
      const row = out.get(format) ?? { format, repos: 0, files: 0 };
      row.files++;
      if (!seen.has(format)) row.repos++;
      seen.add(format);
      out.set(format, row);
    }
  }
  return [...out.values()].sort((a, b) => b.files - a.files || a.format.localeCompare(b.format));
}
