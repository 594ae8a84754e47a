// The popup: the current tab's repo (summary, conversion PRs, findings, format history), a link to the
// statistics page, settings and "clear my data". It talks to the background through the same protocol as
// the content script. `popup.html?repo=ID` shows a given repo (the stats page links to it).
import { useEffect, useState } from 'preact/hooks';
import { RepoView } from '@/components/repo-view';
import { parseRepoId, type RepoRef } from '@/lib/hub/url';
import { ENGINE_VERSION } from '@/lib/formats/types';
import { send } from '@/lib/messaging-client';
import type { Settings } from '@/lib/settings';

const TOGGLES: [keyof Settings, string][] = [
  ['treeBadges', 'Badges on file lists'],
  ['blobPanel', 'Verdict panel on file pages'],
  ['repoChip', 'Summary on repo pages'],
  ['prMarks', 'Conversion PR marks'],
  ['scanEverything', 'Scan every file, not only model files'],
];

/** The repo to show: `?repo=` first, else the active tab's (host permissions let us read Hub tabs' URLs). */
async function currentRepo(): Promise<RepoRef | undefined> {
  const param = new URLSearchParams(location.search).get('repo');
  if (param) return parseRepoId(param);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  return tab?.url ? parseRepoId(tab.url) : undefined;
}

export function App() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [message, setMessage] = useState('');
  const [repo, setRepo] = useState<RepoRef | null | undefined>(undefined);
  useEffect(() => {
    void currentRepo().then((r) => setRepo(r ?? null));
    send('getSettings', {}).then(setSettings, (e: unknown) =>
      setMessage(`Could not load settings: ${String(e)}`),
    );
  }, []);
  const update = (patch: Partial<Settings>) =>
    send('setSettings', patch).then(setSettings, (e: unknown) => setMessage(String(e)));
  const clear = () => {
    if (
      !window.confirm('Delete everything Picklens recorded (verdicts, visits, pull requests)? Settings stay.')
    )
      return;
    send('clearData', {}).then(
      (r) => setMessage(`Cleared ${r.cleared} records.`),
      (e: unknown) => setMessage(String(e)),
    );
  };
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
      <p>
        <button type="button" onClick={openStats}>
          Statistics, batch collection, export
        </button>
      </p>
      {settings && (
        <details>
          <summary>Settings</summary>
          <fieldset style={{ border: '1px solid var(--line)', borderRadius: '.375rem' }}>
            <legend>Settings</legend>
            {TOGGLES.map(([key, label]) => (
              <label key={key} style={{ display: 'block' }}>
                <input
                  type="checkbox"
                  name={key}
                  checked={Boolean(settings[key])}
                  onChange={(e) => void update({ [key]: (e.target as HTMLInputElement).checked })}
                />{' '}
                {label}
              </label>
            ))}
            <label style={{ display: 'block' }}>
              Reads at once{' '}
              <input
                type="number"
                name="concurrency"
                min={1}
                max={16}
                value={settings.concurrency}
                onChange={(e) => void update({ concurrency: Number((e.target as HTMLInputElement).value) })}
                style={{ width: '3.5rem' }}
              />
            </label>
          </fieldset>
        </details>
      )}
      <button type="button" onClick={clear} style={{ marginTop: '.5rem' }}>
        Clear my data
      </button>
      <p role="status" style={{ minHeight: '1.2em' }}>
        {message}
      </p>
      <p class="muted">Engine {ENGINE_VERSION}</p>
    </main>
  );
}
