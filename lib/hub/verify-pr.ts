// A conversion pull request checked on the Hub: the safetensors files the PR adds (at `refs/pr/N`) against
// the pickle weights they were converted from, at the PR's base — the commit the PR's head sits on, which is
// the revision the converter read (its own duplicate check compares `commits(refs/pr/N)[1]`, HUB.md). Which
// file came from which follows the converter's naming (HUB.md "Files added"): `pytorch_model.bin` →
// `model.safetensors`, its shards → `model-XXXXX-of-YYYYY.safetensors` with `model.safetensors.index.json`,
// any other `X.bin`/`X.ckpt` → `X.safetensors` beside it. The comparison itself is lib/formats/conversion.ts.
import {
  unverifiable,
  verifyConversion,
  type VerifyFile,
  type VerifyGroup,
  type VerifyOptions,
  type VerifyReport,
} from '../formats/conversion';
import { HubApi, type RateGovernor, type TreeEntry } from './api';
import { isConversionPr } from './convert-bot';
import { HubError } from './errors';
import { HubFileSource, Limiter, type FetchLike, type ReadGate } from './http-source';
import { repoPath, type RepoRef } from './url';

export interface PrVerification extends VerifyReport {
  repo: string;
  pr: number;
  /** The PR's state as the Hub reports it, and whether SFconvertbot opened it. */
  status?: string;
  bot?: boolean;
  /** The commits compared: the PR's head and its base. */
  head?: string;
  base?: string;
  /** How to load the PR's weights without merging it. */
  usage?: string;
  /** API calls made (also counted in `requests`). */
  apiCalls: number;
}

interface VerifyPrOptions extends Pick<VerifyOptions, 'budget' | 'onProgress'> {
  endpoint: string;
  fetch?: FetchLike;
  credentials?: RequestCredentials;
  /** The API's budget, shared with the caller's other calls (the background's governor). */
  governor?: RateGovernor;
  /** The resolver budget for file reads. */
  readGate?: ReadGate;
  signal?: AbortSignal;
  onWait?: (ms: number, why: string) => void;
}

/** The index of a sharded conversion is read whole up to this size. */
const MAX_INDEX_BYTES = 16 * 1024 * 1024;
/** Files opened at once. */
const READ_CONCURRENCY = 6;

const SHARD = /^(pytorch_model|model)(-\d{5}-of-\d{5})?\.(bin|safetensors)$/;
const PICKLE_WEIGHTS = /\.(bin|ckpt|pt|pth)$/;

/** The files the converter made from `original`'s files, grouped as it converts them. */
function groupFiles(
  added: TreeEntry[],
  base: TreeEntry[],
  head: TreeEntry[],
): { converted: TreeEntry[]; original: TreeEntry[]; index?: TreeEntry }[] {
  const groups: { converted: TreeEntry[]; original: TreeEntry[]; index?: TreeEntry }[] = [];
  const dir = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '');
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const transformers = new Map<string, TreeEntry[]>();
  const rest: TreeEntry[] = [];
  for (const f of added) {
    if (SHARD.test(name(f.path)) && name(f.path).startsWith('model')) {
      const list = transformers.get(dir(f.path)) ?? [];
      list.push(f);
      transformers.set(dir(f.path), list);
    } else rest.push(f);
  }
  for (const [d, converted] of transformers) {
    const original = base.filter(
      (b) => dir(b.path) === d && SHARD.test(name(b.path)) && b.path.endsWith('.bin'),
    );
    if (!original.length) {
      rest.push(...converted);
      continue;
    }
    const index = head.find((h) => h.path === `${d}model.safetensors.index.json`);
    groups.push({ converted, original, index });
  }
  for (const f of rest) {
    const stem = f.path.slice(0, -'.safetensors'.length);
    const original = base.filter((b) => b.path === `${stem}.bin` || b.path === `${stem}.ckpt`);
    groups.push({ converted: [f], original });
  }
  return groups;
}

export async function verifyPr(repo: RepoRef, num: number, opts: VerifyPrOptions): Promise<PrVerification> {
  const api = new HubApi({
    endpoint: opts.endpoint,
    fetch: opts.fetch,
    credentials: opts.credentials,
    governor: opts.governor,
    signal: opts.signal,
    onWait: opts.onWait,
  });
  const ids = { repo: repo.id, pr: num };
  /**
   * How to load the PR's weights without merging it: transformers' from_pretrained for its file names, else
   * huggingface_hub's download of the converted file at the PR's ref.
   */
  const usage = (converted: string[]) => {
    const rev = `revision="refs/pr/${num}"`;
    return converted.every((p) => SHARD.test(p.slice(p.lastIndexOf('/') + 1)) && !p.includes('/'))
      ? `from_pretrained(${JSON.stringify(repo.id)}, ${rev}, use_safetensors=True)`
      : `hf_hub_download(${JSON.stringify(repo.id)}, ${JSON.stringify(converted[0] ?? '')}, ${rev})`;
  };
  const sources: HubFileSource[] = [];
  // What the reads cost as the network saw it (retries and ignored ranges included), plus the API calls.
  const done = (r: VerifyReport, extra: Partial<PrVerification> = {}): PrVerification => ({
    ...ids,
    ...extra,
    ...r,
    requests: sources.reduce((n, s) => n + s.requests, 0) + api.calls,
    bytesRead: sources.reduce((n, s) => n + s.bytesReceived, 0),
    apiCalls: api.calls,
  });
  try {
    const d = await api.discussion(repo, num);
    const meta = { status: d.status, bot: isConversionPr(d) };
    if (!d.isPullRequest)
      return done(unverifiable('not-a-conversion-pr', `#${num} is a discussion, not a pull request`), meta);
    let rev = `refs/pr/${num}`;
    if (d.changes?.refDeleted) {
      if (d.status === 'merged' && d.changes.mergeCommitId) rev = d.changes.mergeCommitId;
      else
        return done(
          unverifiable('ref-deleted', `the branch of #${num} was deleted; its files are gone`),
          meta,
        );
    }
    const chain: string[] = [];
    for await (const c of api.commits(repo, rev, 2)) {
      chain.push(c.id);
      if (chain.length === 2) break;
    }
    const [head, base] = chain;
    if (!head || !base)
      return done(unverifiable('no-pickle', `#${num} has no parent commit to compare with`), {
        ...meta,
        head,
      });
    const list = async (sha: string) => {
      const out: TreeEntry[] = [];
      for await (const e of api.tree(repo, sha)) if (e.type === 'file') out.push(e);
      return out;
    };
    const [headFiles, baseFiles] = await Promise.all([list(head), list(base)]);
    const before = new Map(baseFiles.map((f) => [f.path, f.oid]));
    const added = headFiles.filter((f) => f.path.endsWith('.safetensors') && before.get(f.path) !== f.oid);
    const where = { ...meta, head, base, usage: usage(added.map((f) => f.path)) };
    if (!added.length) return done(unverifiable('no-safetensors', `#${num} adds no safetensors file`), where);
    const limiter = new Limiter(READ_CONCURRENCY);
    const open = (f: TreeEntry, rev: string): VerifyFile => {
      const source = new HubFileSource({
        endpoint: opts.endpoint,
        repo,
        rev,
        path: f.path,
        size: f.lfs?.size ?? f.size,
        fetch: opts.fetch,
        credentials: opts.credentials,
        limiter,
        governor: opts.readGate,
        signal: opts.signal,
        onWait: opts.onWait,
        pinRedirect: true,
      });
      sources.push(source);
      return { path: f.path, size: f.lfs?.size ?? f.size, source };
    };
    const groups: VerifyGroup[] = [];
    const pickles = baseFiles.filter((f) => PICKLE_WEIGHTS.test(f.path));
    for (const g of groupFiles(added, baseFiles, headFiles)) {
      let index: VerifyGroup['index'];
      if (g.index) {
        const src = open(g.index, head);
        const size = Math.min(src.size ?? MAX_INDEX_BYTES, MAX_INDEX_BYTES);
        index = { path: g.index.path, text: new TextDecoder().decode(await src.source.read(0, size)) };
      }
      groups.push({
        converted: g.converted.map((f) => open(f, head)),
        original: g.original.map((f) => open(f, base)),
        index,
      });
    }
    const report = await verifyConversion(groups, { budget: opts.budget, onProgress: opts.onProgress });
    if (report.reasonCode === 'no-pickle' && pickles.length)
      report.reason = `none of the base's weights (${pickles
        .slice(0, 3)
        .map((f) => f.path)
        .join(', ')}) is the file the converter names for ${added.map((f) => f.path).join(', ')}`;
    return done(report, where);
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    return done(unverifiable(e.code === 'gated' ? 'gated' : 'unreadable', `${repoPath(repo)}: ${e.message}`));
  }
}
