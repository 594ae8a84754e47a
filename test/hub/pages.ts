// HTML pages of the replica, shaped as HUB.md describes huggingface.co's: server-rendered markup with
// Svelte "islands" (`div.SVELTE_HYDRATER.contents[data-target][data-props]`) that carry the page's data,
// the tree's row markup, a "Load more" that fetches the tree API client-side, the blob page's body class
// and LFS details, and the discussion header of pull requests.

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
[data-target="ViewerIndexTreeList"] button{font-size:11px;border:1px solid #d1d5db;border-radius:.25rem;background:#fff;margin-left:.25rem}
[data-load-more]{margin:.75rem 0;padding:.375rem .75rem;border:1px solid #d1d5db;border-radius:.375rem;background:#f9fafb}
.truncate{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}time{color:#6b7280}.h-16{padding:.5rem 0;border-bottom:1px solid #f3f4f6}
pre{background:#f9fafb;padding:.75rem;border-radius:.375rem;overflow:auto}`;

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
): string {
  const b = base(repo);
  const tab = (href: string, label: string, on: boolean) =>
    `<a class="tab-alternate${on ? ' active' : ''}" href="${href}">${label}</a>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="canonical" href="https://huggingface.co${escapeHtml(canonical)}"><meta property="og:url" content="https://huggingface.co${escapeHtml(canonical)}">
<style>${REPLICA_CSS}</style></head>
<body class="flex flex-col min-h-dvh ${bodyClass}">
${island('MainHeader', { classNames: '' }, '<header class="border-b"><a href="/">Hugging Face</a></header>')}
<main class="flex flex-1 flex-col">
${island(
  'ModelHeader',
  {
    activeTab: active === 'files' ? 'files' : active === 'community' ? 'discussions' : 'modelCard',
    model: {
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
<div class="flex">${tab(b, 'Model card', active === 'card')}${tab(`${b}/tree/main`, 'Files and versions', active === 'files')}${tab(`${b}/discussions`, 'Community', active === 'community')}</div></header>`,
)}
${main}
</main></body></html>`;
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

/** The "Load more" button: fetches the next page of the tree API and appends rows, as the Hub does. */
const LOAD_MORE_SCRIPT = `<script>
document.addEventListener('click', async (ev) => {
  const button = ev.target.closest('[data-load-more]');
  if (!button) return;
  const list = document.querySelector('[data-target="ViewerIndexTreeList"] > ul');
  const res = await fetch(button.dataset.next);
  const entries = await res.json();
  const link = res.headers.get('link');
  const rows = await (await fetch(button.dataset.rows, { method: 'POST', body: JSON.stringify(entries) })).text();
  list.insertAdjacentHTML('beforeend', rows);
  const next = link && /<([^>]+)>;\\s*rel="next"/.exec(link);
  if (next) button.dataset.next = next[1]; else button.remove();
});
</script>`;

export function treePage(
  repo: PageRepo,
  rev: string,
  dir: string,
  entries: PageEntry[],
  nextURL: string | null,
  rowsHtml: string,
  rowsEndpoint: string,
): string {
  const b = base(repo);
  const main = `<section class="container">
${island('ViewerHeader', { context: { repo: { name: repo.id, type: repo.type }, rev, path: dir, subpaths: dir ? dir.split('/') : [] }, refs: { branches: [{ name: 'main' }], tags: [], converts: [] }, view: 'tree' })}
${island('ViewerIndexTreeList', { entries, nextURL }, `<ul class="mb-8 rounded-b-lg border border-t-0">${rowsHtml}</ul>${nextURL ? `<button data-load-more data-next="${escapeHtml(nextURL)}" data-rows="${escapeHtml(rowsEndpoint)}">Load more files</button>` : ''}`)}
</section>${LOAD_MORE_SCRIPT}`;
  return shell(
    `${repo.id} at ${rev}`,
    'ViewerIndexTreePage',
    repo,
    'files',
    main,
    `${b}/tree/${rev}${dir ? `/${dir}` : ''}`,
  );
}

export function blobPage(
  repo: PageRepo,
  rev: string,
  path: string,
  size: number,
  lfs: { oid: string; size: number; pointerSize: number } | undefined,
  text: string | undefined,
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
  );
}

export type PageDiscussion = DiscussionSpec & { events: NonNullable<DiscussionSpec['events']> };

export function discussionsPage(repo: PageRepo, list: PageDiscussion[]): string {
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
    `<section class="container">${rows}</section>`,
    `${b}/discussions`,
  );
}

export function discussionPage(repo: PageRepo, d: PageDiscussion): string {
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
  );
}

export function homePage(repo: PageRepo, readme: string): string {
  return shell(
    repo.id,
    'ModelPage',
    repo,
    'card',
    `<section class="container"><div class="prose">${escapeHtml(readme)}</div></section>`,
    base(repo),
  );
}
