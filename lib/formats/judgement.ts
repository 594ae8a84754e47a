// One shape for what every format module concludes (a Judgement), the shape of a format module itself
// (FormatModule: sniff the head, judge the file), and the fold of pickle walks into a Judgement: imports,
// the dangerous-import findings, errors, weights_only, the risk. Each format's file exports its module;
// classify.ts lists them in order. Shared without an import cycle.
import type { Reader } from './bytes';
import type { PaperEvidence } from './paper-rules';
import type { PickleResult } from './pickle';
import {
  worseRisk,
  type ByteSource,
  type ClassifyOptions,
  type Format,
  type Risk,
  type Verdict,
} from './types';

/**
 * What a format module concludes from the bytes: one shape for every format (format, risk, findings,
 * imports, details), folded into the verdict by classify.
 */
export type Judgement = Pick<
  Verdict,
  'format' | 'risk' | 'weightsOnly' | 'imports' | 'findings' | 'details'
> & {
  /** How deep inside archives this file is (0 for the file itself). */
  depth: number;
};

/** Entry names an archive's verdict lists in its details. */
export const MAX_LISTED_ENTRIES = 200;

export function newJudgement(depth: number): Judgement {
  return { depth, format: 'unknown', risk: 'unknown', imports: [], findings: [], details: {} };
}

/** Folds pickle walks into the verdict: imports, dangerous-import findings, errors, weights_only. */
export function addPickles(acc: Judgement, results: PickleResult[], label = 'the pickle'): void {
  const seen = new Set(acc.imports.map((i) => `${i.where ?? ''}\n${i.module}\n${i.name}`));
  let ranCode = false;
  let misleads = false;
  const fold = (r: PickleResult, embedded: boolean) => {
    for (const imp of r.imports) {
      const key = `${imp.where ?? ''}\n${imp.module}\n${imp.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      acc.imports.push(imp);
      if (imp.safety === 'dangerous') {
        acc.findings.push({
          code: 'pickle-dangerous-import',
          severity: 'danger',
          message: `imports ${imp.module}.${imp.name} at byte ${imp.offset ?? '?'}${imp.where ? ` of ${imp.where}` : ''}: ${imp.reason ?? 'deny-listed'}`,
        });
      }
    }
    for (const f of r.findings) {
      acc.findings.push(f);
      if (f.severity === 'danger') misleads = true;
    }
    if (!embedded) {
      for (const e of r.errors) acc.findings.push({ ...e, message: `${label}: ${e.message}` });
      if (r.calls.length || r.imports.length) ranCode = true;
      acc.weightsOnly = (acc.weightsOnly ?? true) && r.weightsOnly;
    }
    for (const inner of r.embedded) {
      // A pickle carried as data inside another, ready for a second loads(): nothing in a model file needs
      // one, and when it imports or calls anything it is a payload smuggled past the outer scan.
      const active = inner.imports.length > 0 || inner.calls.length > 0;
      if (active) misleads = true;
      acc.findings.push({
        code: 'pickle-embedded',
        severity: active ? 'danger' : 'warning',
        message: `${inner.imports[0]?.where ?? 'a pickle inside the pickle'}${active ? ` imports ${inner.imports.map((i) => `${i.module}.${i.name}`).join(', ') || 'nothing'} and makes ${inner.calls.length} call(s)` : ' holds only data'}`,
      });
      fold(inner, true);
    }
  };
  for (const r of results) fold(r, false);
  const dangerous = misleads || acc.imports.some((i) => i.safety === 'dangerous');
  // A walk stopped by our own limit or by the transport says nothing about the file being broken.
  const ourStop = (r: PickleResult) =>
    r.errors.some((e) => e.code === 'pickle-limit' || e.code === 'pickle-read-failed');
  const broken = results.some((r) => !r.complete && !ourStop(r));
  let risk: Risk = dangerous ? 'dangerous' : 'unsafe';
  // A pickle that breaks before calling anything runs nothing: it cannot be loaded, so it is invalid.
  if (broken && !ranCode && !dangerous) risk = 'invalid';
  acc.risk = acc.risk === 'unknown' || acc.risk === 'invalid' ? risk : worseRisk(acc.risk, risk);
}

interface SniffContext {
  head: Uint8Array;
  size: number | undefined;
}

export interface JudgeContext extends SniffContext {
  reader: Reader;
  /** The size, or "as large as it gets" when unknown (reads past the end come back short). */
  known: number;
  ev: PaperEvidence;
  /** classify itself, for what a format holds (a zip's members): passed in, so no module imports it. */
  classify: (source: ByteSource, opts: ClassifyOptions) => Promise<Verdict>;
}

/**
 * A format, as classify sees it: `sniff` looks at the head alone (no read); `judge` reads what it needs and
 * fills the Judgement, answering whether it concluded (false: not this format after all, the next module
 * is tried, and what it noted stays). `formats` are the formats it can conclude (a meta-test holds them to
 * FORMATS and to the fixtures). A judgement cut short by a failed read keeps what it had found.
 */
export interface FormatModule {
  id: string;
  formats: readonly Format[];
  sniff(c: SniffContext): boolean;
  judge(c: JudgeContext, j: Judgement): Promise<boolean>;
}

/** For the modules that always conclude once sniffed. */
export const concludes =
  (fill: (c: JudgeContext, j: Judgement) => unknown) =>
  async (c: JudgeContext, j: Judgement): Promise<boolean> => {
    await fill(c, j);
    return true;
  };
