// The replica's HTML pages carry what HUB.md says the Hub's do: islands with their JSON, the tree's row
// markup and "Load more", the blob page's class and LFS details, the PR header; untrusted names escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaFetch } from '../../support/replica-client';
import { historyRepo, sampleRepos } from '../../hub/sample-repos';
import { startReplica, type Replica } from '../../hub/server';

let hub: Replica;
let get: (path: string, init?: RequestInit) => Promise<Response>;

beforeAll(async () => {
  const hostile = {
    id: 'evil/names',
    commits: [
      {
        title: '<img src=x onerror=alert(1)>',
        author: 'x',
        date: '2026-01-01T00:00:00.000Z',
        files: { '"><svg onload=alert(1)>.bin': new Uint8Array(2048) },
      },
    ],
  };
  hub = await startReplica({ repos: [...sampleRepos(), hostile], knobs: { pageSize: 5 } });
  const f = replicaFetch(hub.cert);
  get = (path, init) => f(`${hub.url}${path}`, init);
});
afterAll(async () => {
  await hub?.close();
});

function unescape(s: string): string {
  return s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '',
  );
}
function props<T>(html: string, target: string): T {
  const m = new RegExp(`data-target="${target}" data-props="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${target} island`);
  return JSON.parse(unescape(m[1] ?? '')) as T;
}

describe('replica pages', () => {
  it('tree: the ViewerIndexTreeList island, its rows, and a Load more that continues through the API', async () => {
    const html = await (await get('/picklens/fixtures/tree/main')).text();
    const list = props<{ entries: { path: string }[]; nextURL: string | null }>(html, 'ViewerIndexTreeList');
    expect(list.entries).toHaveLength(5);
    expect(list.nextURL).toMatch(/^\/api\/models\/picklens\/fixtures\/tree\/main\?cursor=1$/);
    expect(html.match(/<li class="relative grid/g)).toHaveLength(5);
    expect(html).toContain(
      'title="Download file" download href="/picklens/fixtures/resolve/main/arrays.npz?download=true"',
    );
    expect(html).toContain('href="/picklens/fixtures/blob/main/arrays.npz"');
    expect(props<{ activeTab: string }>(html, 'ModelHeader').activeTab).toBe('files');
    const next = await get(list.nextURL ?? '');
    const entries = (await next.json()) as unknown[];
    expect(entries).toHaveLength(5);
    expect(next.headers.get('link')).toContain('cursor=2');
    const rows = await (
      await get('/__replica/rows?type=model&id=picklens%2Ffixtures&rev=main', {
        method: 'POST',
        body: JSON.stringify(entries),
      })
    ).text();
    expect(rows.match(/<li /g)).toHaveLength(5);
  });

  it('blob: ViewerBlobPage, LFS details, the scan badge island', async () => {
    const html = await (await get('/picklens/history/blob/main/model.safetensors')).text();
    expect(html).toMatch(/<body class="[^"]*ViewerBlobPage/);
    expect(html).toContain('<title>model.safetensors · picklens/history at main</title>');
    expect(html).toMatch(/Git LFS Details[\s\S]*SHA256: [0-9a-f]{64}/);
    expect(props<{ filePath: string }>(html, 'ScanStatusBadge').filePath).toBe('model.safetensors');
  });

  it('a pull request page: DiscussionHeader with its status, base ← from refs/pr/N', async () => {
    const html = await (await get('/picklens/history/discussions/3')).text();
    const d = props<{ discussion: { status: string; isPullRequest: boolean; author: { name: string } } }>(
      html,
      'DiscussionHeader',
    );
    expect(d.discussion).toMatchObject({
      status: 'open',
      isPullRequest: true,
      author: { name: 'SFconvertbot' },
    });
    expect(html).toContain('base: refs/heads/main ← from: refs/pr/3');
    const list = await (await get('/picklens/history/discussions')).text();
    expect(list.match(/class="relative h-16 w-full"/g)).toHaveLength(historyRepo().discussions?.length ?? 0);
  });

  it('a status change made on the replica shows on the next page load', async () => {
    const spec = historyRepo();
    const pr = spec.discussions?.find((d) => d.num === 3);
    if (pr) pr.status = 'closed';
    hub.setRepo(spec);
    const html = await (await get('/picklens/history/discussions/3')).text();
    expect(props<{ discussion: { status: string } }>(html, 'DiscussionHeader').discussion.status).toBe(
      'closed',
    );
    hub.setRepo(historyRepo());
  });

  it('home: ModelHeader with the repo, the tabs', async () => {
    const html = await (await get('/picklens/history')).text();
    expect(props<{ model: { id: string } }>(html, 'ModelHeader').model.id).toBe('picklens/history');
    expect(html).toContain('<a class="tab-alternate active" href="/picklens/history">Model card</a>');
  });

  it('untrusted names and titles are escaped, in markup and in island JSON', async () => {
    const html = await (await get('/evil/names/tree/main')).text();
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('<img src=x');
    expect(props<{ entries: { path: string }[] }>(html, 'ViewerIndexTreeList').entries[0]?.path).toBe(
      '"><svg onload=alert(1)>.bin',
    );
  });

  it('private repos and unknown pages are 404', async () => {
    expect((await get('/nobody/nothing/tree/main')).status).toBe(404);
    expect((await get('/picklens/history/tree/nope')).status).toBe(404);
  });
});

describe('replica transport', () => {
  it('speaks HTTP/2 (ALPN h2) as well as HTTP/1.1', async () => {
    const http2 = await import('node:http2');
    const session = http2.connect(hub.url, { ca: hub.cert });
    const body = await new Promise<string>((resolve, reject) => {
      const req = session.request({ ':path': '/api/models/picklens/history' });
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => resolve(text));
      req.on('error', reject);
      req.end();
    });
    expect(session.alpnProtocol).toBe('h2');
    expect((JSON.parse(body) as { id: string }).id).toBe('picklens/history');
    session.close();
  });
});
