// The options page: what Picklens paints and reads, and "clear my data". Settings live in the background's
// IndexedDB (lib/settings.ts); every content script reads them at its next page view.
import { useEffect, useState } from 'preact/hooks';
import { ENGINE_VERSION } from '@/lib/formats/types';
import { send } from '@/lib/messaging-client';
import type { Settings } from '@/lib/settings';

const TOGGLES: [keyof Settings, string, string][] = [
  ['treeBadges', 'Badges on file lists', 'A badge by each model file on "Files and versions".'],
  ['blobPanel', 'Verdict panel on file pages', 'The verdict, open, on a file’s own page.'],
  [
    'repoChip',
    'Summary on repo pages',
    'By the repo’s name, on every tab: its files by risk, its code, its PRs.',
  ],
  [
    'prMarks',
    'Conversion PR marks',
    'SFconvertbot’s pull requests marked, and checked against the checkpoint.',
  ],
  ['scanEverything', 'Scan every file, not only model files', 'Reads the first bytes of every file listed.'],
];

export function App() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    send('getSettings', {}).then(setSettings, (e: unknown) =>
      setMessage(`Could not load the settings: ${String(e)}`),
    );
  }, []);
  const update = (patch: Partial<Settings>) =>
    send('setSettings', patch).then(
      (s) => {
        setSettings(s);
        setMessage('Saved: pages opened from now on follow it.');
      },
      (e: unknown) => setMessage(`Not saved: ${String(e)}`),
    );
  const clear = () => {
    if (
      !window.confirm('Delete everything Picklens recorded (verdicts, visits, pull requests)? Settings stay.')
    )
      return;
    send('clearData', {}).then(
      (r) => setMessage(`Cleared ${r.cleared} records.`),
      (e: unknown) => setMessage(`Nothing was cleared: ${String(e)}`),
    );
  };
  return (
    <main style={{ maxWidth: '40rem', margin: '0 auto', padding: '1rem' }}>
      <h1>Picklens settings</h1>
      {settings && (
        <fieldset class="panel">
          <legend>On huggingface.co</legend>
          {TOGGLES.map(([key, label, hint]) => (
            <label key={key} style={{ display: 'block', margin: '.25rem 0' }}>
              <input
                type="checkbox"
                name={key}
                checked={Boolean(settings[key])}
                onChange={(e) => void update({ [key]: (e.target as HTMLInputElement).checked })}
              />{' '}
              {label} <span class="muted">— {hint}</span>
            </label>
          ))}
          <label style={{ display: 'block', margin: '.25rem 0' }}>
            Files read at once from one page{' '}
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
      )}
      <h2>Your data</h2>
      <p class="muted">
        Everything Picklens records stays in this browser. Export and import are on the statistics page.
      </p>
      <button type="button" onClick={clear}>
        Clear my data
      </button>
      <p role="status" aria-live="polite" style={{ minHeight: '1.2em' }}>
        {message}
      </p>
      <p class="muted">Engine {ENGINE_VERSION}</p>
    </main>
  );
}
