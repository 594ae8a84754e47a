// The local Hub replica's repositories, described by commits (files added, changed, deleted) and
// discussions/pull requests; the server derives trees, shas, LFS oids and refs from them.
import { createHash } from 'node:crypto';
import type { RepoType } from '../../lib/hub/url';
import type { Segment } from '../support/bytes';

/**
 * Real bytes; a large file of `size` bytes whose first bytes are `head` and the rest zeros; or segments of
 * real bytes and zero runs (a 200 MB zip whose central directory sits at the end). Zeros are never allocated.
 */
export type FileContent = Uint8Array | { head: Uint8Array; size: number } | { segments: Segment[] };

export interface CommitSpec {
  title: string;
  author: string;
  /** ISO date. */
  date: string;
  message?: string;
  /** Path → content, or null to delete. */
  files: Record<string, FileContent | null>;
}

export interface EventSpec {
  type: 'comment' | 'status-change';
  author: string;
  createdAt: string;
  status?: 'open' | 'closed' | 'merged' | 'draft';
  content?: string;
  /** The author is Hugging Face staff (the Hub's `author.isHf`, on every event by a user account). */
  authorIsHf?: boolean;
}

export interface DiscussionSpec {
  num: number;
  title: string;
  author: string;
  status: 'open' | 'closed' | 'merged' | 'draft';
  isPullRequest: boolean;
  createdAt: string;
  /** For pull requests: the files the PR's commit adds or changes on top of main. */
  files?: Record<string, FileContent | null>;
  events?: EventSpec[];
}

export interface RepoSpec {
  id: string;
  type?: RepoType;
  gated?: false | 'auto' | 'manual';
  private?: boolean;
  commits: CommitSpec[];
  discussions?: DiscussionSpec[];
}

export function sizeOf(c: FileContent): number {
  if (c instanceof Uint8Array) return c.length;
  if ('segments' in c)
    return c.segments.reduce((n, s) => n + (s instanceof Uint8Array ? s.length : s.zeros), 0);
  return c.size;
}

/** Bytes [start, end) of a content, materialising only that slice. */
export function sliceOf(c: FileContent, start: number, end: number): Uint8Array {
  if (c instanceof Uint8Array) return c.subarray(start, end);
  if ('segments' in c) {
    const out = new Uint8Array(Math.max(0, Math.min(end, sizeOf(c)) - start));
    let at = 0;
    for (const seg of c.segments) {
      const len = seg instanceof Uint8Array ? seg.length : seg.zeros;
      const a = Math.max(start, at);
      const b = Math.min(end, at + len);
      if (a < b && seg instanceof Uint8Array) out.set(seg.subarray(a - at, b - at), a - start);
      at += len;
    }
    return out;
  }
  const out = new Uint8Array(Math.max(0, Math.min(end, c.size) - start));
  if (start < c.head.length) out.set(c.head.subarray(start, Math.min(end, c.head.length)));
  return out;
}

function hashContent(algo: 'sha1' | 'sha256', c: FileContent, prefix?: string): string {
  const h = createHash(algo);
  if (prefix) h.update(prefix);
  if (c instanceof Uint8Array) h.update(c);
  else if ('segments' in c) {
    const zeros = new Uint8Array(1024 * 1024);
    for (const seg of c.segments) {
      if (seg instanceof Uint8Array) h.update(seg);
      else
        for (let left = seg.zeros; left > 0; left -= zeros.length)
          h.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
    }
  } else {
    h.update(c.head);
    const zeros = new Uint8Array(1024 * 1024);
    for (let left = c.size - c.head.length; left > 0; left -= zeros.length)
      h.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
  }
  return h.digest('hex');
}

const hashes = new WeakMap<object, { oid: string; sha256: string }>();
/** git blob id and LFS sha256 of a content, computed once. */
export function idsOf(c: FileContent): { oid: string; sha256: string } {
  let ids = hashes.get(c);
  if (!ids) {
    ids = { oid: hashContent('sha1', c, `blob ${sizeOf(c)}\0`), sha256: hashContent('sha256', c) };
    hashes.set(c, ids);
  }
  return ids;
}

/** Files stored with LFS on the Hub: binary model files and anything over 10 MB (the default .gitattributes). */
export function isLfs(path: string, c: FileContent): boolean {
  return (
    sizeOf(c) >= 10 * 1024 * 1024 ||
    /\.(bin|safetensors|pt|pth|ckpt|h5|hdf5|onnx|gguf|pkl|pickle|npy|npz|joblib|msgpack|keras|tar|zip|7z|model|pb|dill)$/.test(
      path,
    )
  );
}

export interface BuiltCommit {
  sha: string;
  spec: CommitSpec;
  parent?: string;
  /** The whole tree after this commit. */
  tree: Map<string, FileContent>;
}

export function buildCommits(commits: CommitSpec[], base?: BuiltCommit): BuiltCommit[] {
  const out: BuiltCommit[] = [];
  let tree = new Map(base?.tree ?? []);
  let parent = base?.sha;
  for (const spec of commits) {
    tree = new Map(tree);
    for (const [path, c] of Object.entries(spec.files)) {
      if (c === null) tree.delete(path);
      else tree.set(path, c);
    }
    const h = createHash('sha1').update(`${parent ?? ''}\n${spec.title}\n${spec.date}\n`);
    for (const [path, c] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1)))
      h.update(`${path}:${idsOf(c).oid}\n`);
    const sha = h.digest('hex');
    out.push({ sha, spec, parent, tree });
    parent = sha;
  }
  return out;
}

/** A discussion as the discussions API lists it (and the DiscussionHeader island carries it). */
export function discussionJson(d: DiscussionSpec, repo: { id: string; type: RepoType }) {
  return {
    num: d.num,
    title: d.title,
    status: d.status,
    isPullRequest: d.isPullRequest,
    author: { name: d.author },
    createdAt: d.createdAt,
    numComments: d.events?.length ?? 0,
    repo: { name: repo.id, type: repo.type },
    pinned: false,
  };
}
