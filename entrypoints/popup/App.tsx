// The popup: the current tab's repo (summary, conversion PRs, findings, format history), and links to the
// statistics page and the settings (the options page). It talks to the background through the same protocol as
// the content script. `popup.html?repo=ID` shows a given repo (the stats page links to it).
import { useEffect, useState } from 'preact/hooks';
import { RepoView } from '@/components/repo-view';
import { parseRepoId, type RepoRef } from '@/lib/hub/url';
import { ENGINE_VERSION } from '@/lib/formats/types';

/** The repo to show: `?repo=` first, else the active tab's (host permissions let us read Hub tabs' URLs). */
async function currentRepo(): Promise<RepoRef | undefined> {
  const param = new URLSearchParams(location.search).get('repo');
  if (param) return parseRepoId(param);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  return tab?.url ? parseRepoId(tab.url) : undefined;
}

export function App() {
  const [repo, setRepo] = useState<RepoRef | null | undefined>(undefined);
  useEffect(() => {
    void currentRepo().then((r) => setRepo(r ?? null));
  }, []);
  const openStats = () =>
    void browser.tabs.create({ url: (browser.runtime.getURL as (p: string) => string)('/stats.html') });
  return (
    <main style={{ width: '34rem', maxWidth: '100%', padding: '0.75rem', boxSizing: 'border-box' }}>
      {repo ? (
        <RepoView repo={repo} />
      ) : (
        repo === null && (
          <>
            <h1>Picklens</h1>
            <p>Open a repository on huggingface.co to see what its files really are and how they changed.</p>
          </>
        )
      )}
      <p style={{ display: 'flex', flexWrap: 'wrap', gap: '.5rem' }}>
        <button type="button" onClick={openStats}>
          Statistics, batch collection, export
        </button>
        <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
          Settings
        </button>
      </p>
      <p class="muted">Engine {ENGINE_VERSION}</p>
    </main>
  );
}
