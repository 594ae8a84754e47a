// HTML pages of the replica, shaped as HUB.md describes huggingface.co's: server-rendered markup with
// Svelte "islands" (`div.SVELTE_HYDRATER.contents[data-target][data-props]`) that carry the page's data,
// the tree's row markup, rows appended client-side from the tree API (on scroll, or "Load more"), the blob
// page's body class and LFS details, the discussion header of pull requests; and the pages that are not
// repos (profiles, orgs, buckets, collections, listings).
//
// As rough as the real site (HUB.md "The real site in 2026"), each with a knob (PageOptions):
// - hydration: islands hydrate after load, at several delays, and each pass removes, in place, every node
//   inside an island that the island did not render, and puts back the attributes it rendered;
// - the tree grows by scrolling (IntersectionObserver on a sentinel), from the tree API's JSON;
// - the repo tabs navigate client-side (fetch, swap the body, history.pushState; popstate goes back).

import { discussionJson, type DiscussionSpec } from './repos';
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Just enough layout for screenshots of the replica to read like the Hub (the Hub itself uses Tailwind). */
const REPLICA_CSS = `body{margin:0;font:14px/1.5 ui-sans-serif,system-ui,sans-serif;color:#111827}
a{color:inherit;text-decoration:none}svg{width:1em;height:1em}header{padding:.75rem 1.5rem;border-bottom:1px solid #e5e7eb}
h1{font-size:1.25rem;margin:.25rem 0}.font-mono{font-family:ui-monospace,monospace}.tab-alternate{margin-right:1rem;color:#6b7280}
.tab-alternate.active{color:#111827;border-bottom:2px solid #111827}.container{max-width:64rem;margin:1rem auto;padding:0 1.5rem}
[data-target="ViewerIndexTreeList"] ul{list-style:none;margin:0;padding:0;border:1px solid #e5e7eb;border-radius:.5rem}
[data-target="ViewerIndexTreeList"] li{display:grid;grid-template-columns:minmax(0,5fr) 1fr 3fr 1.2fr;gap:.75rem;align-items:center;padding:.4rem .75rem;border-top:1px solid #f3f4f6}
[data-target="ViewerIndexTreeList"] li>div:first-child{display:flex;align-items:center;gap:.25rem}
@media (max-width:767px){[data-target="ViewerIndexTreeList"] li{grid-template-columns:minmax(0,1fr) auto}[data-target="ViewerIndexTreeList"] li>a[href*="/commit/"]{display:none}.container{padding:0 .75rem}}
[data-target="ViewerIndexTreeList"] button{font-size:11px;border:1px solid #d1d5db;border-radius:.25rem;background:#fff;margin-left:.25rem}
[data-load-more]{margin:.75rem 0;padding:.375rem .75rem;border:1px solid #d1d5db;border-radius:.375rem;background:#f9fafb}
.truncate{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}time{color:#6b7280}
main>*,.container{min-width:0}li{overflow-wrap:anywhere}.flex{display:flex}.flex-col{flex-direction:column}.flex-1{flex:1 1 0%}.items-center{align-items:center}.h-\\[1\\.125rem\\]{height:1.125rem}@media (max-width:639px){.max-sm\\:hidden{display:none}}.h-16{padding:.5rem 0;border-bottom:1px solid #f3f4f6}
pre{background:#f9fafb;padding:.75rem;border-radius:.375rem;overflow:auto}
:root.dark body{background:#0b0f19;color:#e5e7eb}:root.dark header,:root.dark [data-target="ViewerIndexTreeList"] ul{border-color:#1f2937}
:root.dark [data-target="ViewerIndexTreeList"] li{border-color:#1f2937}:root.dark [data-target="ViewerIndexTreeList"] button{background:#111827;color:#e5e7eb;border-color:#374151}
:root.dark .tab-alternate.active{color:#fff;border-color:#fff}:root.dark pre{background:#111827}`;

/** How rough a page is; every field on by default (server.ts DEFAULT_KNOBS). */
export interface PageOptions {
  /** Islands hydrate after these delays (ms from the page's parse), each pass removing foreign nodes. */
  hydrationDelaysMs: number[];
  /** The tree appends rows when its end is scrolled into view (else a "Load more files" button). */
  scrollTree: boolean;
  /** The repo tabs navigate client-side (pushState), as a single-page app would. */
  spaNavigation: boolean;
}

/**
 * The page's own script, in <head>: Svelte-style claim hydration (nodes an island did not render are
 * detached, attributes it rendered are reset), the tree's client-side rows, client-side navigation. The
 * body ends with `__replica.claim()`, run while the page is parsed, so what the server rendered is known
 * before any content script runs. `data-replica-hydration` on <html> says `pending` or `done` (for tests).
 */
const REPLICA_SCRIPT = `(() => {
  const cfg = JSON.parse(document.currentScript.dataset.cfg);
  const SHOW = NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT;
  const owned = new WeakSet();
  const attrs = new WeakMap();
  const own = (root) => {
    const w = document.createTreeWalker(root, SHOW);
    for (let n = w.currentNode; n; n = w.nextNode()) {
      owned.add(n);
      if (n.nodeType === 1) attrs.set(n, Array.from(n.attributes, (a) => [a.name, a.value]));
    }
  };
  const hydrate = () => {
    for (const island of document.querySelectorAll('[data-target]')) {
      if (!owned.has(island)) { own(island); continue; }
      const foreign = [];
      const w = document.createTreeWalker(island, SHOW);
      for (let n = w.nextNode(); n; n = w.nextNode()) if (!owned.has(n) && owned.has(n.parentNode)) foreign.push(n);
      for (const n of foreign) n.remove();
      for (const el of island.querySelectorAll('*')) {
        const want = attrs.get(el);
        if (!want) continue;
        const names = new Set(want.map(([k]) => k));
        for (const a of Array.from(el.attributes)) if (!names.has(a.name)) el.removeAttribute(a.name);
        for (const [k, v] of want) if (el.getAttribute(k) !== v) el.setAttribute(k, v);
      }
    }
  };
  let generation = 0;
  const schedule = () => {
    const g = ++generation;
    const delays = cfg.hydrationDelaysMs;
    document.documentElement.dataset.replicaHydration = delays.length ? 'pending' : 'done';
    delays.forEach((d, i) => setTimeout(() => {
      hydrate();
      if (g === generation && i === delays.length - 1) document.documentElement.dataset.replicaHydration = 'done';
    }, d));
  };
  let loading = false;
  const loadMore = async (el) => {
    if (loading || !el.isConnected) return;
    loading = true;
    try {
      const list = document.querySelector('[data-target="ViewerIndexTreeList"] > ul');
      const res = await fetch(el.dataset.next);
      const entries = await res.json();
      const link = res.headers.get('link');
      const html = await (await fetch(el.dataset.rows, { method: 'POST', body: JSON.stringify(entries) })).text();
      const tpl = document.createElement('template');
      tpl.innerHTML = html;
      for (const n of Array.from(tpl.content.childNodes)) { list.append(n); own(n); }
      const next = link && /<([^>]+)>;\\s*rel="next"/.exec(link);
      if (next) { el.dataset.next = next[1]; own(el); } else el.remove();
    } finally {
      loading = false;
    }
    if (el.isConnected && io) { io.unobserve(el); io.observe(el); }
  };
  const io = cfg.scrollTree && 'IntersectionObserver' in window
    ? new IntersectionObserver((es) => es.forEach((e) => e.isIntersecting && void loadMore(e.target)))
    : undefined;
  document.addEventListener('click', (ev) => {
    const button = ev.target.closest && ev.target.closest('[data-load-more]');
    if (button) void loadMore(button);
  });
  const claim = () => {
    document.querySelectorAll('[data-target]').forEach(own);
    const sentinel = document.querySelector('[data-tree-sentinel]');
    if (sentinel && io) io.observe(sentinel);
    schedule();
  };
  const swap = async (href, push) => {
    const doc = new DOMParser().parseFromString(await (await fetch(href)).text(), 'text/html');
    if (push) history.pushState({}, '', href);
    document.title = doc.title;
    document.body.className = doc.body.className;
    document.body.replaceChildren(...Array.from(doc.body.childNodes, (n) => document.importNode(n, true)));
    claim();
  };
  if (cfg.spaNavigation) {
    document.addEventListener('click', (ev) => {
      const a = ev.target.closest && ev.target.closest('a.tab-alternate');
      if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
      ev.preventDefault();
      void swap(a.href, true);
    });
    addEventListener('popstate', () => void swap(location.href, false));
  }
  window.__replica = { claim };
})();`;

function head(title: string, canonical: string, opts: PageOptions): string {
  return `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="canonical" href="https://huggingface.co${escapeHtml(canonical)}"><meta property="og:url" content="https://huggingface.co${escapeHtml(canonical)}">
<style>${REPLICA_CSS}</style><script>${THEME_SCRIPT}</script><script data-cfg="${escapeHtml(JSON.stringify(opts))}">${REPLICA_SCRIPT}</script></head>`;
}

/**
 * The Hub's theme: "system" by default, applied as `class="dark"` on <html> before the page paints (the real
 * site's inline theme script; Picklens's dark colours key on `:root.dark`).
 */
const THEME_SCRIPT = `if (matchMedia('(prefers-color-scheme: dark)').matches) document.documentElement.classList.add('dark');`;

/** The last thing in <body>: what the server rendered is claimed while the page is parsed. */
const CLAIM = '<script>window.__replica.claim()</script>';

function island(target: string, props: unknown, inner = ''): string {
  return `<div class="SVELTE_HYDRATER contents" data-target="${target}" data-props="${escapeHtml(JSON.stringify(props))}">${inner}</div>`;
}

export interface PageRepo {
  id: string;
  type: 'model' | 'dataset' | 'space';
  sha: string;
  private: boolean;
  gated: false | 'auto' | 'manual';
  lastModified: string;
  discussionsStats: { open: number; closed: number; total: number };
}

/** The header island's name and its props' key differ by repo type (HUB.md, 2026). */
const HEADER: Record<PageRepo['type'], { target: string; key: string }> = {
  model: { target: 'ModelHeader', key: 'model' },
  dataset: { target: 'DatasetHeader', key: 'dataset' },
  space: { target: 'SpaceHeader', key: 'space' },
};

function base(repo: PageRepo): string {
  return `/${repo.type === 'model' ? '' : `${repo.type}s/`}${repo.id}`;
}

function shell(
  title: string,
  bodyClass: string,
  repo: PageRepo,
  active: 'card' | 'files' | 'community',
  main: string,
  canonical: string,
  opts: PageOptions,
): string {
  const b = base(repo);
  const tab = (href: string, label: string, on: boolean) =>
    `<a class="tab-alternate${on ? ' active' : ''}" href="${href}">${label}</a>`;
  const card = repo.type === 'model' ? 'Model card' : repo.type === 'dataset' ? 'Dataset card' : 'App';
  return `<!doctype html><html>${head(title, canonical, opts)}
<body class="flex flex-col min-h-dvh ${bodyClass}">
${island('MainHeader', { classNames: '' }, '<header class="border-b"><a href="/">Hugging Face</a></header>')}
<main class="flex flex-1 flex-col">
${island(
  HEADER[repo.type].target,
  {
    activeTab: active === 'files' ? 'files' : active === 'community' ? 'discussions' : 'modelCard',
    [HEADER[repo.type].key]: {
      id: repo.id,
      author: repo.id.split('/')[0],
      sha: repo.sha,
      private: repo.private,
      gated: repo.gated,
      lastModified: repo.lastModified,
    },
    discussionsStats: repo.discussionsStats,
  },
  `<header class="from-gray-50-to-white border-b"><h1><a class="font-mono" href="${escapeHtml(b)}">${escapeHtml(repo.id)}</a></h1>
<div class="flex">${tab(b, card, active === 'card')}${tab(`${b}/tree/main`, 'Files and versions', active === 'files')}${tab(`${b}/discussions`, 'Community', active === 'community')}</div></header>`,
)}
${main}
</main>${CLAIM}</body></html>`;
}

/** A page of the site that is not a repo: no repo header island. */
function sitePage(
  title: string,
  bodyClass: string,
  canonical: string,
  main: string,
  opts: PageOptions,
): string {
  return `<!doctype html><html>${head(title, canonical, opts)}
<body class="flex flex-col min-h-dvh ${bodyClass}">
${island('MainHeader', { classNames: '' }, '<header class="border-b"><a href="/">Hugging Face</a></header>')}
<main class="flex flex-1 flex-col"><section class="container">${main}</section></main>${CLAIM}</body></html>`;
}

export interface PageEntry {
  type: 'file' | 'directory';
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

function humanSize(n: number): string {
  if (n < 1000) return `${n} Bytes`;
  if (n < 1e6) return `${(n / 1e3).toFixed(2)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

/** One row of the tree list, as HUB.md's copy of the Hub's markup (Tailwind prefixes stripped). */
export function treeRow(
  repo: PageRepo,
  rev: string,
  e: PageEntry,
  commit: { sha: string; title: string; date: string },
): string {
  const b = base(repo);
  const name = e.path.split('/').pop() ?? e.path;
  const encRev = encodeURIComponent(rev);
  const encPath = e.path.split('/').map(encodeURIComponent).join('/');
  const commitCells = `<a class="col-span-3 md:col-span-3 md:flex lg:col-span-4" href="${b}/commit/${commit.sha}"><span class="truncate">${escapeHtml(commit.title)}</span></a>
<a class="col-span-2 truncate text-right" href="${b}/commit/${commit.sha}"><time datetime="${commit.date}">${commit.date.slice(0, 10)}</time></a>`;
  if (e.type === 'directory') {
    return `<li class="relative grid h-10 grid-cols-12 place-content-center gap-x-3 border-t px-3"><a class="col-span-6 flex items-center lg:col-span-4" href="${b}/tree/${encRev}/${encPath}"><svg></svg><span class="truncate">${escapeHtml(name)}</span></a>${commitCells}</li>`;
  }
  return `<li class="relative grid h-10 grid-cols-12 place-content-center gap-x-3 border-t px-3">
<div class="col-span-6 flex items-center md:col-span-4"><a class="group flex items-center truncate" href="${b}/blob/${encRev}/${encPath}"><svg></svg><span class="truncate group-hover:underline">${escapeHtml(name)}</span></a>
<div class="sm:relative ml-1.5"><button class="flex h-[1.125rem] items-center rounded border"><svg></svg><span class="mr-0.5 max-sm:hidden">Safe</span></button></div></div>
<a class="group col-span-1 flex items-center justify-self-end truncate text-right font-mono" title="Download file" download href="${b}/resolve/${encRev}/${encPath}?download=true"><span class="truncate">${humanSize(e.size)}</span></a>
${commitCells}</li>`;
}

export function treePage(
  repo: PageRepo,
  rev: string,
  dir: string,
  entries: PageEntry[],
  nextURL: string | null,
  rowsHtml: string,
  rowsEndpoint: string,
  opts: PageOptions,
): string {
  const b = base(repo);
  const more = !nextURL
    ? ''
    : opts.scrollTree
      ? `<div data-tree-sentinel data-next="${escapeHtml(nextURL)}" data-rows="${escapeHtml(rowsEndpoint)}" style="height:1px"></div>`
      : `<button data-load-more data-next="${escapeHtml(nextURL)}" data-rows="${escapeHtml(rowsEndpoint)}">Load more files</button>`;
  const main = `<section class="container">
${island('ViewerHeader', { context: { repo: { name: repo.id, type: repo.type }, rev, path: dir, subpaths: dir ? dir.split('/') : [] }, refs: { branches: [{ name: 'main' }], tags: [], converts: [] }, view: 'tree' })}
${island('ViewerIndexTreeList', { entries, nextURL }, `<ul class="mb-8 rounded-b-lg border border-t-0">${rowsHtml}</ul>${more}`)}
</section>`;
  return shell(
    `${repo.id} at ${rev}`,
    'ViewerIndexTreePage',
    repo,
    'files',
    main,
    `${b}/tree/${rev}${dir ? `/${dir}` : ''}`,
    opts,
  );
}

export function blobPage(
  repo: PageRepo,
  rev: string,
  path: string,
  size: number,
  lfs: { oid: string; size: number; pointerSize: number } | undefined,
  text: string | undefined,
  opts: PageOptions,
): string {
  const b = base(repo);
  const encPath = path.split('/').map(encodeURIComponent).join('/');
  const name = path.split('/').pop() ?? path;
  const details = lfs
    ? `<p>This file is stored with Git LFS. It is too big to display, but you can still download it.</p>
<div><h3>Git LFS Details</h3><ul><li>SHA256: ${lfs.oid}</li><li>Pointer size: ${lfs.pointerSize} Bytes</li><li>Size of remote file: ${humanSize(lfs.size)}</li></ul></div>`
    : island(
        'BlobContent',
        { lines: (text ?? '').split('\n').slice(0, 200) },
        `<pre>${escapeHtml(text ?? '')}</pre>`,
      );
  const main = `<section class="container">
${island('ViewerHeader', { context: { repo: { name: repo.id, type: repo.type }, rev, path, subpaths: path.split('/') }, view: 'blob' })}
<div class="flex items-center border-b"><a href="${b}/raw/${encodeURIComponent(rev)}/${encPath}">raw</a> <a href="${b}/commits/${encodeURIComponent(rev)}/${encPath}">history</a>
${island('CopyButton', { value: `https://huggingface.co${b}/resolve/${rev}/${path}` })}
${island('ScanStatusBadge', { classNames: '', scanStatus: { status: 'unscanned' }, repo: { name: repo.id, type: repo.type }, revision: rev, filePath: path, openByDefault: false })}
<span class="font-mono">${humanSize(size)}</span></div>
${details}
</section>`;
  return shell(
    `${name} · ${repo.id} at ${rev}`,
    'ViewerBlobPage',
    repo,
    'files',
    main,
    `${b}/blob/${rev}/${path}`,
    opts,
  );
}

export type PageDiscussion = DiscussionSpec & { events: NonNullable<DiscussionSpec['events']> };

export function discussionsPage(repo: PageRepo, list: PageDiscussion[], opts: PageOptions): string {
  const b = base(repo);
  const rows = list
    .map(
      (d) =>
        `<div class="relative h-16 w-full"><a href="${b}/discussions/${d.num}"><span>#${d.num}</span> <span>${escapeHtml(d.title)}</span></a> <span>${d.isPullRequest ? 'Pull request' : 'Discussion'}</span> <span>${escapeHtml(d.status)}</span> <span>by ${escapeHtml(d.author)}</span></div>`,
    )
    .join('\n');
  return shell(
    `${repo.id} · Discussions`,
    'DiscussionsPage',
    repo,
    'community',
    // The list is rendered by an island too [U: its name is ours]: hydration reaches its rows.
    `<section class="container">${island('DiscussionList', { count: list.length }, rows)}</section>`,
    `${b}/discussions`,
    opts,
  );
}

export function discussionPage(repo: PageRepo, d: PageDiscussion, opts: PageOptions): string {
  const b = base(repo);
  const header = island(
    'DiscussionHeader',
    { discussion: discussionJson(d, repo) },
    `<h1>${escapeHtml(d.title)} <span>#${d.num}</span></h1>${d.isPullRequest ? `<div>base: refs/heads/main ← from: refs/pr/${d.num}</div><div><a href="#">Discussion</a> <a href="${b}/discussions/${d.num}/files">Files changed</a></div>` : ''}`,
  );
  const events = island(
    'DiscussionEvents',
    { events: d.events },
    d.events
      .map(
        (e) =>
          `<div class="border">${escapeHtml(e.author)}: ${escapeHtml(e.type === 'status-change' ? `changed status to ${e.status ?? ''}` : (e.content ?? ''))}</div>`,
      )
      .join(''),
  );
  const merge =
    d.isPullRequest && d.status === 'open'
      ? '<div>Ready to merge — This branch is ready to get merged automatically.</div>'
      : '';
  return shell(
    `${d.title} · ${repo.id}`,
    'DiscussionPage',
    repo,
    'community',
    `<section class="container">${header}${events}${merge}</section>`,
    `${b}/discussions/${d.num}`,
    opts,
  );
}

export function homePage(repo: PageRepo, readme: string, opts: PageOptions): string {
  return shell(
    repo.id,
    repo.type === 'model' ? 'ModelPage' : repo.type === 'dataset' ? 'DatasetPage' : 'SpacePage',
    repo,
    'card',
    `<section class="container"><div class="prose">${escapeHtml(readme)}</div></section>`,
    base(repo),
    opts,
  );
}

/** A repo as a card on listing, profile and collection pages (HUB.md "Listing pages"). */
export interface RepoCard {
  id: string;
  type: PageRepo['type'];
}

/** Cards link absolutely, with a query string, as the 2026 listing does. */
function cards(list: RepoCard[]): string {
  return list
    .map(
      (r) =>
        `<article class="overview-card-wrapper"><a href="https://huggingface.co${escapeHtml(base({ ...r } as PageRepo))}?utm_source=list"><h4>${escapeHtml(r.id)}</h4></a></article>`,
    )
    .join('\n');
}

/** `/models`, `/datasets`, `/spaces`: the ModelList island with `initialValues.models[]`. */
export function listingPage(
  kind: 'models' | 'datasets' | 'spaces',
  list: RepoCard[],
  opts: PageOptions,
): string {
  return sitePage(
    `${kind[0]?.toUpperCase()}${kind.slice(1)} - Hugging Face`,
    'ModelsPage',
    `/${kind}`,
    island(
      'ModelList',
      { initialValues: { models: list.map((r) => ({ id: r.id })) } },
      `<div class="grid">${cards(list)}</div>`,
    ),
    opts,
  );
}

/** `/{name}`: a user's or an org's profile, with their repos as cards and the repos' links. */
export function profilePage(name: string, isOrg: boolean, list: RepoCard[], opts: PageOptions): string {
  return sitePage(
    `${name} (${isOrg ? 'Organization' : 'User'})`,
    isOrg ? 'OrgPage' : 'UserPage',
    `/${name}`,
    `<h1>${escapeHtml(name)}</h1>${island(isOrg ? 'OrgProfile' : 'UserProfile', { name, isOrg }, `<div class="grid">${cards(list)}</div>`)}`,
    opts,
  );
}

/** `/buckets[/{owner}/{bucket}]` (storage buckets, 2026) and `/collections/{owner}/{slug}`: not repos. */
export function bucketPage(path: string, opts: PageOptions): string {
  return sitePage(
    `${path} · Buckets`,
    'BucketPage',
    path,
    `<h1>${escapeHtml(path)}</h1><p>Storage bucket</p>`,
    opts,
  );
}

export function collectionPage(path: string, list: RepoCard[], opts: PageOptions): string {
  return sitePage(
    `${path} · Collections`,
    'CollectionPage',
    path,
    `<h1>${escapeHtml(path)}</h1>${island('CollectionPage', { items: list.map((r) => ({ id: r.id, type: r.type })) }, cards(list))}`,
    opts,
  );
}

/** The Hub's 404 page (a missing repo, a route it does not know). */
export function notFoundPage(opts: PageOptions): string {
  return sitePage(
    '404 – Hugging Face',
    'NotFoundPage',
    '/404',
    '<h1>404</h1><p>Sorry, we can’t find the page you are looking for.</p>',
    opts,
  );
}
