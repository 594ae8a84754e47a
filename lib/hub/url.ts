// Hugging Face page predicates (after github-url-detection: each predicate has example URLs, and a test
// asserts every predicate accepts its own examples and rejects every other predicate's).
// Repos live at /{id} for models, /datasets/{id} and /spaces/{id}; id is {namespace}/{name}. A single
// segment is a user's or an org's profile: the no-namespace models (`/gpt2`) moved to orgs in 2024 and
// their old URLs redirect (HUB.md "The real site in 2026"). Revisions in URLs may be encoded (`refs%2Fpr%2F5`).
// The URL is half of the answer: a repo page also has its repo header island (lib/hub/selectors.ts).

export type RepoType = 'model' | 'dataset' | 'space';

export interface RepoRef {
  type: RepoType;
  /** `namespace/name` (or a legacy single name for models). */
  id: string;
}

export interface PageInfo {
  repo: RepoRef;
  page: 'home' | 'tree' | 'blob' | 'commits' | 'commit' | 'discussions' | 'discussion';
  /** The revision in the URL, decoded (`main`, a sha, `refs/pr/5`). */
  rev?: string;
  /** Path inside the repo (tree folder or blob file), decoded. */
  path?: string;
  /** Discussion or pull request number. */
  num?: number;
}

export const HUB_ORIGIN = 'https://huggingface.co';

/** A repo's path on the Hub: `{id}` for models, `datasets/{id}`, `spaces/{id}`. */
export function repoPath(repo: RepoRef): string {
  return `${repo.type === 'model' ? '' : `${repo.type}s/`}${repo.id}`;
}

/** First path segments that are site pages, not model namespaces (hub-docs routes; HUB.md). */
const RESERVED = new Set([
  'api',
  'models',
  'datasets',
  'spaces',
  'docs',
  'blog',
  'login',
  'join',
  'settings',
  'organizations',
  'pricing',
  'enterprise',
  'posts',
  'papers',
  'collections',
  'learn',
  'tasks',
  'chat',
  'notifications',
  'new',
  'new-dataset',
  'new-space',
  'search',
  'inference-endpoints',
  'terms-of-service',
  'privacy',
  'static-proxy',
  'front',
  'avatars',
  'oauth',
  'billing',
  'storage',
  'changelog',
  'huggingchat',
  'mcp',
  'sql-console',
  'welcome',
  'buckets',
  'organizations',
  'user',
  'profile',
  'static',
  'join',
  'following',
  'inbox',
]);

const NAME = /^[\w.-]+$/;

function segments(url: URL | string): string[] | undefined {
  const u = typeof url === 'string' ? new URL(url, HUB_ORIGIN) : url;
  if (u.hostname !== 'huggingface.co' && u.hostname !== 'hf.co') return undefined;
  return u.pathname
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** Which page of which repo a URL shows; undefined for anything else. */
export function parseHubUrl(url: URL | string): PageInfo | undefined {
  const seg = segments(url);
  if (!seg?.length) return undefined;
  let type: RepoType = 'model';
  let i = 0;
  if (seg[0] === 'datasets' || seg[0] === 'spaces') {
    type = seg[0] === 'datasets' ? 'dataset' : 'space';
    i = 1;
  } else if (RESERVED.has(seg[0] ?? '')) return undefined;
  const ns = seg[i];
  const name = seg[i + 1];
  if (!ns || !NAME.test(ns) || !name || !NAME.test(name)) return undefined;
  const repo: RepoRef = { type, id: `${ns}/${name}` };
  const rest = seg.slice(i + 2);
  const [kind, ...tail] = rest;
  if (kind === undefined) return { repo, page: 'home' };
  // A revision can contain slashes (refs/pr/5): it is either one encoded segment or refs/… spread out.
  const revAndPath = (): { rev?: string; path?: string } => {
    if (!tail.length) return {};
    if (tail[0] === 'refs' && tail.length >= 3)
      return { rev: tail.slice(0, 3).join('/'), path: tail.slice(3).join('/') || undefined };
    return { rev: tail[0], path: tail.slice(1).join('/') || undefined };
  };
  switch (kind) {
    case 'tree':
      return tail.length ? { repo, page: 'tree', ...revAndPath() } : undefined;
    case 'blob': {
      const r = revAndPath();
      return r.path ? { repo, page: 'blob', ...r } : undefined;
    }
    case 'commits':
      return tail.length ? { repo, page: 'commits', ...revAndPath() } : undefined;
    case 'commit':
      return tail.length === 1 && /^[0-9a-f]{7,40}$/.test(tail[0] ?? '')
        ? { repo, page: 'commit', rev: tail[0] }
        : undefined;
    case 'discussions': {
      if (!tail.length) return { repo, page: 'discussions' };
      const n = Number(tail[0]);
      return Number.isInteger(n) &&
        n > 0 &&
        tail.length <= 2 &&
        (tail[1] === undefined || tail[1] === 'files')
        ? { repo, page: 'discussion', num: n }
        : undefined;
    }
    default:
      return undefined;
  }
}

const is = (page: PageInfo['page']) => (url: URL | string) => parseHubUrl(url)?.page === page;

/** `/{id}`: the repo's model card (or dataset card, Space app). */
export const isRepoHome = is('home');
/** `/{id}/tree/{rev}[/{dir}]`: "Files and versions". */
export const isRepoTree = is('tree');
/** `/{id}/blob/{rev}/{path}`: one file. */
export const isBlob = is('blob');
/** `/{id}/commits/{rev}[/{path}]`: history. */
export const isCommits = is('commits');
/** `/{id}/commit/{sha}`. */
export const isCommit = is('commit');
/** `/{id}/discussions`: the Community tab. */
export const isDiscussions = is('discussions');
/** `/{id}/discussions/{num}`: a discussion or pull request. */
export const isDiscussion = is('discussion');

/** `/models`, `/datasets`, `/spaces` (with filters): listings, not repos. */
export function isModelsListing(url: URL | string): boolean {
  const seg = segments(url);
  return seg?.length === 1 && (seg[0] === 'models' || seg[0] === 'datasets' || seg[0] === 'spaces');
}

/** `/{name}` and `/{name}/activity/…`: a user's or an org's profile, never a repo. */
export function isProfile(url: URL | string): boolean {
  const seg = segments(url);
  if (!seg?.length || RESERVED.has(seg[0] ?? '') || !NAME.test(seg[0] ?? '')) return false;
  return seg.length === 1 || (seg[1] === 'activity' && seg.length >= 3);
}

/** `/buckets`, `/buckets/{owner}[/{bucket}…]`: storage buckets (2026), not repos. */
export function isBucket(url: URL | string): boolean {
  return segments(url)?.[0] === 'buckets';
}

/** `/collections/{owner}[/{slug}]`: collections, not repos. */
export function isCollection(url: URL | string): boolean {
  const seg = segments(url);
  return seg?.[0] === 'collections' && seg.length >= 2;
}

/** Examples each predicate must accept, and every other must reject. */
export const URL_EXAMPLES: Record<string, string[]> = {
  isRepoHome: [
    'https://huggingface.co/openai-community/gpt2',
    'https://huggingface.co/datasets/squad/squad',
    'https://huggingface.co/spaces/safetensors/convert',
  ],
  isRepoTree: [
    'https://huggingface.co/openai-community/gpt2/tree/main',
    'https://huggingface.co/openai-community/gpt2/tree/main/onnx',
    'https://huggingface.co/org/m/tree/refs%2Fpr%2F5',
    'https://huggingface.co/datasets/org/d/tree/main/data',
  ],
  isBlob: [
    'https://huggingface.co/openai-community/gpt2/blob/main/pytorch_model.bin',
    'https://huggingface.co/org/m/blob/refs%2Fpr%2F2/model.safetensors',
    'https://huggingface.co/spaces/org/s/blob/main/app.py',
  ],
  isCommits: [
    'https://huggingface.co/openai-community/gpt2/commits/main',
    'https://huggingface.co/org/m/commits/main/config.json',
  ],
  isCommit: [
    'https://huggingface.co/openai-community/gpt2/commit/607a30d783dfa663caf39e06633721c8d4cfcd7e',
    'https://huggingface.co/org/m/commit/abc1234',
  ],
  isDiscussions: [
    'https://huggingface.co/openai-community/gpt2/discussions',
    'https://huggingface.co/datasets/org/d/discussions',
  ],
  isDiscussion: [
    'https://huggingface.co/openai-community/gpt2/discussions/12',
    'https://huggingface.co/org/m/discussions/3/files',
  ],
  isModelsListing: [
    'https://huggingface.co/models',
    'https://huggingface.co/models?library=safetensors',
    'https://huggingface.co/datasets',
    'https://huggingface.co/spaces',
  ],
  isProfile: [
    'https://huggingface.co/picklens',
    'https://huggingface.co/gpt2',
    'https://huggingface.co/SFconvertbot/activity/community',
  ],
  isBucket: [
    'https://huggingface.co/buckets',
    'https://huggingface.co/buckets/picklens/weights',
    'https://huggingface.co/buckets/picklens/weights/tree/main',
  ],
  isCollection: [
    'https://huggingface.co/collections/picklens',
    'https://huggingface.co/collections/picklens/study-repos-6650d8e1f2a3b4c5d6e7f809',
  ],
};

/**
 * A repo named the way people paste them: `org/name`, `datasets/org/name`, `spaces/org/name`, a Hub URL of
 * any of its pages, or the record key `model:org/name`. Undefined when it names no repo.
 */
export function parseRepoId(text: string): RepoRef | undefined {
  const t = text.trim();
  if (!t) return undefined;
  // A single name pasted is a legacy no-namespace model id (the API still answers for it); its page is not.
  if (NAME.test(t) && !RESERVED.has(t)) return { type: 'model', id: t };
  const key = /^(model|dataset|space):(.+)$/.exec(t);
  if (key && key[1] === 'model' && NAME.test(key[2] ?? '')) return { type: 'model', id: key[2] ?? '' };
  if (key) {
    const page = parseHubUrl(`${HUB_ORIGIN}/${repoPath({ type: key[1] as RepoType, id: key[2] ?? '' })}`);
    return page?.page === 'home' && page.repo.type === key[1] ? page.repo : undefined;
  }
  if (/^https?:\/\//.test(t)) {
    try {
      return parseHubUrl(new URL(t))?.repo;
    } catch {
      return undefined;
    }
  }
  const page = parseHubUrl(`${HUB_ORIGIN}/${t.replace(/^\/+|\/+$/g, '')}`);
  return page?.page === 'home' ? page.repo : undefined;
}
