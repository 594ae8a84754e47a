// The study's own measures, by its own definitions (DESIGN.md "The study's definitions"): "An Empirical
// Study of Safetensors' Usage Trends and Developers' Perceptions" (Casey et al.), sections III–IV, and its
// replication notebooks (s2e-lab/model-evolution, scripts/notebooks). Pure functions over plain records: the
// stats page, `npm run study` and the exports compute the same numbers. Where Picklens measures more (any
// pickle kept, real formats), that is a separate field beside the study's, never instead of it.
import { mentionsConversionTool } from '../hub/convert-bot';
import { STUDY_EXTENSIONS } from '../hub/model-files';
import type { Format, PaperLabel } from '../formats/types';
import { byRepo } from './aggregates';
import type { StudyCommit } from './repo-view';

/** The study's model files: these 16 extensions (section III-B). */
const STUDY_MODEL_EXTENSIONS: ReadonlySet<string> = new Set(STUDY_EXTENSIONS);

/** The seven classes of the study's Fig. 6, in its order. */
export const STUDY_CLASSES = [
  'ONNX',
  'h5/hdf5',
  'joblib',
  'numpy',
  'pickle',
  'safetensors',
  'torch.save',
] as const;
type StudyClass = (typeof STUDY_CLASSES)[number];

/** The label R1–R5 gives → the study's class (Fig. 6 merges dill into pickle, the torch labels into torch.save). */
const CLASS_OF_LABEL: Partial<Record<PaperLabel, StudyClass>> = {
  numpy: 'numpy',
  hdf5: 'h5/hdf5',
  safetensors: 'safetensors',
  'torch.save': 'torch.save',
  pytorch: 'torch.save',
  'torch.jit': 'torch.save',
  joblib: 'joblib',
  pickle: 'pickle',
  dill: 'pickle',
};

/**
 * The study's published numbers (arXiv:2501.02170: its sample in section III, the rest as issue 6 quotes
 * them): what `npm run study`, each measure and each figure are read against.
 */
export const STUDY_N = {
  repos: '1,032',
  commits: '17,773',
  /** Adoptions (commits adding safetensors) made through the conversion tool, in percent. */
  toolShare: 95.7,
  keptPickles: 98.7,
  prsOpen: 83.5,
  prsMerged: 13.9,
  /** Days from the release to the first adoption. */
  firstAdoptionDays: 6,
};

/** Below this many repos every share moves a lot with each repo: the table, the figures and the CLI say so. */
export const SMALL_N = 30;

/** The notebook's date for the safetensors release, from which time to adoption is counted. */
const SAFETENSORS_RELEASE = '2022-09-22';

/** A commit as the study reads it: when, by whom, what it says, and the files present after it. */
export type StudyCommitIn = StudyCommit;

/** Paths seen, and whether each is a model file: the same few names recur in every commit of a record. */
const MODEL_PATHS = new Map<string, boolean>();
const MAX_MODEL_PATHS = 100_000;

function isStudyModelFile(path: string): boolean {
  const known = MODEL_PATHS.get(path);
  if (known !== undefined) return known;
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const is = dot > 0 && STUDY_MODEL_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
  if (MODEL_PATHS.size >= MAX_MODEL_PATHS) MODEL_PATHS.clear();
  MODEL_PATHS.set(path, is);
  return is;
}

/**
 * The study's class of a file: undefined when it is not a model file (its extension is not one of the 16),
 * 'undetermined' when R1–R5 (and, for unknown files, the real format) say none of the seven.
 */
export function studyClass(f: {
  path: string;
  paper?: PaperLabel;
  format?: Format;
}): StudyClass | 'undetermined' | undefined {
  if (!isStudyModelFile(f.path)) return undefined;
  if (!f.paper) return 'undetermined';
  const c = CLASS_OF_LABEL[f.paper];
  if (c) return c;
  // A file R1–R5 call unknown whose bytes are ONNX: the study's ONNX class (its notebook classifies .onnx).
  return f.paper === 'unknown' && f.format === 'onnx' ? 'ONNX' : 'undetermined';
}

/** The notebook's test of a conversion-tool commit: its message names the tool's PR title. */
function isToolCommit(c: Pick<StudyCommitIn, 'title' | 'tool'>): boolean {
  return c.tool === true || mentionsConversionTool(c.title);
}

/** Commits grouped by repo, oldest first: computed once by a caller that runs several measures. */
type Grouped = Map<string, StudyCommitIn[]>;

function grouped(commits: StudyCommitIn[] | Grouped): Grouped {
  return commits instanceof Map ? commits : byRepo(commits);
}

/** The commit's safetensors paths (a shared empty set for the many commits without one). */
function safetensorsPaths(c: StudyCommitIn): ReadonlySet<string> {
  let out: Set<string> | undefined;
  for (const f of c.files)
    if (f.paper === 'safetensors' && isStudyModelFile(f.path)) (out ??= new Set()).add(f.path);
  return out ?? NONE;
}
const NONE: ReadonlySet<string> = new Set();

export interface StudySafetensorsCommit {
  repoKey: string;
  sha: string;
  date: string;
  tool: boolean;
}

/**
 * Commits that add safetensors (section IV-A): a path of class safetensors appears that its parent commit
 * lacked (the repo's first commit: every such path is new). The tool's when its message names the tool.
 */
export function safetensorsCommits(commits: StudyCommitIn[] | Grouped): StudySafetensorsCommit[] {
  const out: StudySafetensorsCommit[] = [];
  for (const list of grouped(commits).values()) {
    let before: ReadonlySet<string> = NONE;
    for (const c of list) {
      const now = safetensorsPaths(c);
      let adds = false;
      for (const p of now) if (!before.has(p)) adds = true;
      if (adds) out.push({ repoKey: c.repoKey, sha: c.sha, date: c.date, tool: isToolCommit(c) });
      before = now;
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

interface StudyKeptPickles {
  /** Repos with a conversion-tool commit adding safetensors (the notebook's converted repos). */
  convertedRepos: number;
  /** Of those, repos whose newest commit still holds a `pytorch_model.bin` (the notebook's check). */
  keptPytorchModelBin: number;
  /** Picklens's broader count: of those, repos whose newest commit holds any torch.save, pickle or joblib file. */
  keptAnyPickle: number;
}

const PICKLE_CLASSES: ReadonlySet<string> = new Set(['torch.save', 'pickle', 'joblib']);

/** Converted repos that kept their old pickles (the study: 98.7%). */
export function studyKeptPickles(
  commits: StudyCommitIn[] | Grouped,
  added = safetensorsCommits(commits),
): StudyKeptPickles {
  const converted = new Set(added.filter((c) => c.tool).map((c) => c.repoKey));
  let keptPytorchModelBin = 0;
  let keptAnyPickle = 0;
  for (const [repo, list] of grouped(commits)) {
    if (!converted.has(repo)) continue;
    const newest = list[list.length - 1];
    if (newest?.files.some((f) => f.path === 'pytorch_model.bin' || f.path.endsWith('/pytorch_model.bin')))
      keptPytorchModelBin++;
    if (newest?.files.some((f) => PICKLE_CLASSES.has(studyClass(f) ?? ''))) keptAnyPickle++;
  }
  return { convertedRepos: converted.size, keptPytorchModelBin, keptAnyPickle };
}

interface StudyYearShares {
  year: number;
  /** Model files with one of the seven classes, over every repo carried into the year. */
  files: number;
  /** Files of each class over `files`, in percent (0 when the year has no files). */
  percent: Record<StudyClass, number>;
  /** Files counted per class, and files left out as undetermined. */
  counts: Record<StudyClass, number>;
  undetermined: number;
  /** Repos that contributed (those whose first commit is in or before the year). */
  repos: number;
}

/**
 * Yearly format shares (Fig. 6): for each year from the first to the last commit year, each repo — from its
 * first commit's year on — contributes the model files of its last commit on or before Dec 31 of that year,
 * carried forward through years without a commit; a class's share is its files over the files with a class.
 */
export function studyYearlyShares(commits: StudyCommitIn[] | Grouped): StudyYearShares[] {
  const repos = [...grouped(commits).values()];
  if (!repos.length) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const list of repos)
    for (const c of list) {
      const y = Number(c.date.slice(0, 4));
      if (y < first) first = y;
      if (y > last) last = y;
    }
  const years = Array.from({ length: last - first + 1 }, () => ({
    counts: Object.fromEntries(STUDY_CLASSES.map((k) => [k, 0])) as Record<StudyClass, number>,
    undetermined: 0,
    contributing: 0,
  }));
  // One pass per repo (its commits are oldest first): each year takes the last commit on or before Dec 31,
  // and a commit carried through several years is classified once.
  for (const list of repos) {
    let i = 0;
    let tally: { counts: Partial<Record<StudyClass, number>>; undetermined: number } | undefined;
    for (let y = first; y <= last; y++) {
      const end = `${y}-12-31T23:59:59.999Z`;
      let at: StudyCommitIn | undefined;
      while (i < list.length && (list[i]?.date ?? '') <= end) at = list[i++];
      if (at) tally = tallyOf(at);
      if (!tally) continue;
      const year = years[y - first];
      if (!year) continue;
      year.contributing++;
      year.undetermined += tally.undetermined;
      for (const k of STUDY_CLASSES) year.counts[k] += tally.counts[k] ?? 0;
    }
  }
  return years.map(({ counts, undetermined, contributing }, i) => {
    const files = STUDY_CLASSES.reduce((n, k) => n + counts[k], 0);
    const percent = Object.fromEntries(
      STUDY_CLASSES.map((k) => [k, files ? (100 * counts[k]) / files : 0]),
    ) as Record<StudyClass, number>;
    return { year: first + i, files, percent, counts, undetermined, repos: contributing };
  });
}

/** A commit's model files counted by the study's class. */
function tallyOf(c: StudyCommitIn): { counts: Partial<Record<StudyClass, number>>; undetermined: number } {
  const counts: Partial<Record<StudyClass, number>> = {};
  let undetermined = 0;
  for (const f of c.files) {
    const k = studyClass(f);
    if (k === 'undetermined') undetermined++;
    else if (k) counts[k] = (counts[k] ?? 0) + 1;
  }
  return { counts, undetermined };
}

/** A PR as the study reads it: its status, and the Hub's status-change events where they were fetched. */
interface StudyPr {
  status: string;
  events?: { status: string; by: string; staff?: boolean }[];
}

/** The Hub's event that set a PR's present status (who merged or closed it), when the record has it. */
export function statusEvent<E extends { status: string }>(p: {
  status: string;
  events?: E[];
}): E | undefined {
  return p.events?.filter((e) => e.status === p.status).pop();
}

interface MergedBy {
  /** Merged by an account the Hub marks as Hugging Face staff (`author.isHf`). */
  staff: number;
  others: number;
  /** Merged, with no status-change event read or none naming whether its author is staff. */
  unknown: number;
}

/** Who merged SFconvertbot's PRs: Hub staff or the repos' own people (DESIGN.md, the study's definitions). */
export function studyMergedBy(prs: StudyPr[]): MergedBy {
  const out: MergedBy = { staff: 0, others: 0, unknown: 0 };
  for (const p of prs) {
    if (p.status !== 'merged') continue;
    const staff = statusEvent(p)?.staff;
    out[staff === undefined ? 'unknown' : staff ? 'staff' : 'others']++;
  }
  return out;
}

interface StudyPullRequests {
  total: number;
  open: number;
  merged: number;
  closed: number;
  draft: number;
}

/** SFconvertbot's PRs by the status the Hub reports (section IV-B: 83.5% open). */
export function studyPullRequests(prs: StudyPr[]): StudyPullRequests {
  const out: StudyPullRequests = { total: prs.length, open: 0, merged: 0, closed: 0, draft: 0 };
  for (const p of prs) if (p.status in out && p.status !== 'total') out[p.status as 'open']++;
  return out;
}

interface TimeToAdoption {
  /** Repos with a safetensors commit, and the days from the release to each one's first. */
  days: number[];
  /** Days by which 80% of those repos had adopted (undefined with none). */
  p80?: number;
  median?: number;
}

const DAY = 86_400_000;

/**
 * Days from the safetensors release (the notebook's 2022-09-22) to each repo's first safetensors commit, from
 * the commits adding safetensors (safetensorsCommits).
 */
export function timeToAdoption(added: StudySafetensorsCommit[]): TimeToAdoption {
  const firsts = new Map<string, string>();
  for (const c of added)
    if (!firsts.has(c.repoKey) || c.date < (firsts.get(c.repoKey) ?? '')) firsts.set(c.repoKey, c.date);
  const start = Date.parse(`${SAFETENSORS_RELEASE}T00:00:00Z`);
  const days = [...firsts.values()]
    .map((d) => Math.floor((Date.parse(d) - start) / DAY))
    .sort((a, b) => a - b);
  const at = (q: number) =>
    days.length ? days[Math.min(days.length - 1, Math.ceil(q * days.length) - 1)] : undefined;
  return { days, p80: at(0.8), median: at(0.5) };
}

/** The study's headline measures (the `npm run study` JSON, DESIGN.md), over study rows and PR records. */
export interface StudyMeasures {
  repos: number;
  commits: number;
  safetensorsCommits: { total: number; converter: number; others: number };
  keptPickles: StudyKeptPickles;
  yearlyShares: { year: number; files: number; percent: Record<StudyClass, number> }[];
  pullRequests: StudyPullRequests;
  /** What Picklens measures beyond the study's definitions, beside them (not a DESIGN.md key of the study's). */
  picklens: {
    /** Days from the release to each repo's first safetensors commit: how many repos, the earliest, the
     * median, the 80% point. */
    timeToAdoption: { repos: number; first: number | null; median: number | null; p80: number | null };
    /** Who merged the merged SFconvertbot PRs. */
    mergedBy: MergedBy;
  };
}

export function studyMeasures(commits: StudyCommitIn[], prs: StudyPr[]): StudyMeasures {
  return studyAnalysis(commits, prs).measures;
}

/** The measures and the commits adding safetensors behind them (the figures'), the history grouped once. */
export function studyAnalysis(
  commits: StudyCommitIn[],
  prs: StudyPr[],
): { measures: StudyMeasures; added: StudySafetensorsCommit[] } {
  const repos = byRepo(commits);
  const added = safetensorsCommits(repos);
  const converter = added.filter((c) => c.tool).length;
  const adoption = timeToAdoption(added);
  return {
    measures: {
      repos: repos.size,
      commits: commits.length,
      safetensorsCommits: { total: added.length, converter, others: added.length - converter },
      keptPickles: studyKeptPickles(repos, added),
      yearlyShares: studyYearlyShares(repos).map((y) => ({
        year: y.year,
        files: y.files,
        percent: y.percent,
      })),
      pullRequests: studyPullRequests(prs),
      picklens: {
        timeToAdoption: {
          repos: adoption.days.length,
          first: adoption.days[0] ?? null,
          median: adoption.median ?? null,
          p80: adoption.p80 ?? null,
        },
        mergedBy: studyMergedBy(prs),
      },
    },
    added,
  };
}
