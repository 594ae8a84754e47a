// The popup: settings and "clear my data" (the repo summary and history come with issue 6). It talks to the
// background through the same protocol as the content script.
import { useEffect, useState } from 'preact/hooks';
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

export function App() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
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
  return (
    <main
      style={{ minWidth: '20rem', padding: '0.75rem', fontFamily: 'system-ui, sans-serif', fontSize: '13px' }}
    >
      <h1 style={{ fontSize: '1rem', margin: '0 0 .5rem' }}>Picklens</h1>
      <p style={{ margin: '0 0 .5rem' }}>
        Open a model repository on huggingface.co to see what its files really are.
      </p>
      {settings && (
        <fieldset style={{ border: '1px solid #e5e7eb', borderRadius: '.375rem' }}>
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
      )}
      <button type="button" onClick={clear} style={{ marginTop: '.5rem' }}>
        Clear my data
      </button>
      <p role="status" style={{ minHeight: '1.2em' }}>
        {message}
      </p>
      <p style={{ color: '#666', fontSize: '0.8rem' }}>Engine {ENGINE_VERSION}</p>
    </main>
  );
}
