// The statistics page (unlisted: /stats.html): the study's figures over everything recorded, with the
// counts behind each; batch collection; export, import and clear. It reads IndexedDB directly (an extension
// page shares the background's origin); collection and clearing go through the background, which owns the
// API budget; an import is one transaction written from here (a dump can be larger than a message may be).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LabelReposFigure, MonthlyAdditionsFigure } from '@/components/picklens-figures';
import {
  CalendarFigure,
  DailyFigure,
  dayCounts,
  DailyTable,
  PrStatesFigure,
  SharesFigure,
} from '@/components/study-figures';
import { Progress, progressText } from '@/components/progress';
import { parseIdList, type BatchStatus } from '@/lib/background/batch';
import { repoPath } from '@/lib/hub/url';
import { PAPER_LABELS, type PaperLabel } from '@/lib/formats/types';
import {
  openPicklensDb,
  parseRepoKey,
  type PicklensDb,
  type PullRequestRecord,
  type RepoRecord,
} from '@/lib/db/schema';
import { ImportError, importDump, parseImport, readDump, stopwatch } from '@/lib/db/transfer';
import { exportZipInPage } from './export';
import { send } from '@/lib/messaging-client';
import {
  filterCommits,
  filterPrs,
  parseStudyRows,
  studyStats,
  type StatsFilter,
  type StudyCommit,
} from '@/lib/stats/repo-view';
import { unknownByRealFormat, type PrYear } from '@/lib/stats/aggregates';
import {
  SMALL_N,
  STUDY_CLASSES,
  STUDY_N,
  studyAnalysis,
  type StudyMeasures,
  type StudySafetensorsCommit,
} from '@/lib/stats/study';

interface Data {
  commits: StudyCommit[];
  prs: PullRequestRecord[];
  repos: RepoRecord[];
}

const pct = (a: number, b: number) => (b ? (100 * a) / b : 0);
const fmt = (x: number) => `${x.toFixed(1)}%`;

async function loadData(db: PicklensDb): Promise<Data> {
  // The compact study rows, not the commit records: what the figures need, read ~10× faster at scale.
  const tx = db.transaction(['studyRows', 'pullRequests', 'repos'], 'readonly');
  const [rows, prs, repos] = await Promise.all([
    tx.objectStore('studyRows').getAll(),
    tx.objectStore('pullRequests').getAll(),
    tx.objectStore('repos').getAll(),
    tx.done,
  ]);
  return { commits: parseStudyRows(rows), prs, repos };
}

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function App() {
  const [db, setDb] = useState<PicklensDb | null>(null);
  const [data, setData] = useState<Data | null>(null);
  const [filter, setFilter] = useState<StatsFilter>({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState('');
  const [importing, setImporting] = useState<{ done: number; total: number } | null>(null);
  const started = useRef(performance.now());

  // Read through a ref: callbacks made at the first render (the batch's) must see the opened database.
  const dbRef = useRef<PicklensDb | null>(null);
  dbRef.current = db;
  const reload = async (d = dbRef.current) => {
    if (!d) return;
    started.current = performance.now();
    const data = await loadData(d);
    document.body.dataset.readMs = String(Math.round(performance.now() - started.current));
    setData(data);
  };
  useEffect(() => {
    openPicklensDb().then(
      async (d) => {
        setDb(d);
        await reload(d);
      },
      (e: unknown) => setMessage(`Could not open the local record: ${String(e)}`),
    );
  }, []);

  const stats = useMemo(() => (data ? studyStats(data.commits, data.prs, filter) : null), [data, filter]);
  // The study's own definitions (lib/stats/study.ts): each repo's history up to `to`, PRs opened in range.
  // Each repo's history up to `to` (a study period's), filtered once for the study's measures and the table of
  // what R1–R5 call unknown.
  const upTo = useMemo(
    () => (data ? filterCommits(data.commits, { ...filter, from: undefined }) : null),
    [data, filter],
  );
  const measures = useMemo(() => {
    if (!data || !upTo) return null;
    const { measures: m, added } = studyAnalysis(upTo, filterPrs(data.prs, filter));
    return { m, added: added.filter((c) => !filter.from || c.date.slice(0, 10) >= filter.from) };
  }, [data, upTo, filter]);
  // Beyond R1–R5: what the study's labels call unknown, by the bytes (each repo's newest commit up to `to`).
  const unknown = useMemo(() => (upTo ? unknownByRealFormat(upTo) : []), [upTo]);
  useEffect(() => {
    // For `npm run bench`: how long from reading IndexedDB to these tables on screen.
    if (stats) document.body.dataset.renderedMs = String(Math.round(performance.now() - started.current));
  }, [stats]);

  const labels: PaperLabel[] = useMemo(
    () => PAPER_LABELS.filter((l) => stats?.shares.some((y) => y.counts[l])),
    [stats],
  );

  const doExport = async () => {
    if (!db) return;
    setBusy('Exporting: reading the record…');
    const t0 = performance.now();
    try {
      const timings: Record<string, number> = {};
      const lap = stopwatch(timings);
      const dump = await readDump(db);
      lap('read');
      const zip = await exportZipInPage(dump, timings, (step) => setBusy(`Exporting: ${step}…`));
      document.body.dataset.exportTimings = JSON.stringify(timings);
      download(zip, `picklens-export-${dump.exportedAt.slice(0, 10)}.zip`);
      const ms = Math.round(performance.now() - t0);
      document.body.dataset.exportMs = String(ms);
      document.body.dataset.exportBytes = String(zip.length);
      setMessage(
        `Exported ${dump.stores.repos.length} repos, ${dump.stores.commits.length} commits, ${dump.stores.pullRequests.length} pull requests (${(zip.length / 1024).toFixed(0)} KiB) in ${ms} ms.`,
      );
    } catch (e) {
      setMessage(`Export failed: ${String(e)}`);
    } finally {
      setBusy('');
    }
  };

  const doImport = async (file: File | undefined) => {
    if (!db || !file) return;
    setBusy(`Importing ${file.name}…`);
    try {
      const dump = parseImport(new Uint8Array(await file.arrayBuffer()));
      setImporting({ done: 0, total: 1 });
      const counts = await importDump(db, dump, (done, total) => setImporting({ done, total }));
      const added = Object.entries(counts)
        .map(([s, c]) => `${s} +${c.added}${c.merged ? ` (${c.merged} merged)` : ''}`)
        .join(', ');
      setMessage(`Imported ${file.name}: ${added}.`);
      await reload();
    } catch (e) {
      setMessage(
        e instanceof ImportError
          ? `Not imported: ${e.message}`
          : `Import failed, nothing was written: ${String(e)}`,
      );
    } finally {
      setBusy('');
      setImporting(null);
    }
  };

  const doClear = async () => {
    if (
      !window.confirm(
        'Delete everything Picklens recorded (histories, verdicts, visits, pull requests)? Settings stay.',
      )
    )
      return;
    try {
      const r = await send('clearData', {});
      setMessage(`Cleared ${r.cleared} records.`);
      await reload();
    } catch (e) {
      setMessage(`Could not clear: ${String(e)}`);
    }
  };

  const set = (patch: Partial<StatsFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const s = stats;

  return (
    <main class="stats" style={{ maxWidth: '72rem', margin: '0 auto', padding: '1rem' }}>
      <h1>Picklens statistics</h1>
      <p class="muted">
        The study&rsquo;s figures (&ldquo;An Empirical Study of Safetensors&rsquo; Usage Trends and
        Developers&rsquo; Perceptions&rdquo;) over the repos recorded in this browser. Nothing here leaves it
        unless you export it.
      </p>
      <Batch
        onDone={() => void reload()}
        visited={data?.repos.filter((r) => r.visits > 0).map((r) => r.repoKey) ?? []}
      />

      <fieldset class="panel">
        <legend>Filters</legend>
        <label>
          Repo type{' '}
          <select
            name="type"
            value={filter.type ?? ''}
            onChange={(e) => set({ type: (e.target as HTMLSelectElement).value })}
          >
            <option value="">all</option>
            <option value="model">models</option>
            <option value="dataset">datasets</option>
            <option value="space">spaces</option>
          </select>
        </label>{' '}
        <label>
          Author/org{' '}
          <input
            name="owner"
            value={filter.owner ?? ''}
            placeholder="e.g. google"
            onInput={(e) => set({ owner: (e.target as HTMLInputElement).value })}
            size={14}
          />
        </label>{' '}
        <label>
          From{' '}
          <input
            type="date"
            name="from"
            value={filter.from ?? ''}
            onInput={(e) => set({ from: (e.target as HTMLInputElement).value })}
          />
        </label>{' '}
        <label>
          To{' '}
          <input
            type="date"
            name="to"
            value={filter.to ?? ''}
            onInput={(e) => set({ to: (e.target as HTMLInputElement).value })}
          />
        </label>
      </fieldset>

      {s && data && !data.commits.length && (
        <p class="panel" data-section="empty">
          Nothing recorded yet. Open a repository&rsquo;s popup on huggingface.co, or collect a list of repos
          below, and its history shows here.
        </p>
      )}
      {s && (
        <>
          <p data-section="totals">
            {s.repos} repos with a history, {s.commits} commits, {s.pullRequests} conversion pull requests
            {data && ` (${data.repos.length} repos recorded in all)`}.
          </p>
          {measures && <StudyMeasuresView m={measures.m} added={measures.added} prYears={s.prs} />}

          <section data-section="picklens-view">
            <h2>Beyond the study&rsquo;s definitions: what Picklens also counts</h2>
            <p class="muted">
              Repos rather than files, every R1&ndash;R5 label rather than the study&rsquo;s seven classes,
              bot merges by author or title, and any pickle kept: beside the study&rsquo;s measures above,
              never instead of them.
            </p>
            <LabelReposFigure shares={s.shares} repos={s.repos} />
            <table data-table="shares">
              <caption>Repos holding each label, by year (each repo&rsquo;s last commit in the year)</caption>
              <thead>
                <tr>
                  <th>Year</th>
                  <th class="num">Repos</th>
                  {labels.map((l) => (
                    <th class="num" key={l}>
                      {l}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {s.shares.map((y) => (
                  <tr key={y.year}>
                    <td>{y.year}</td>
                    <td class="num">{y.repos}</td>
                    {labels.map((l) => (
                      <td class="num" key={l} title={fmt(pct(y.counts[l] ?? 0, y.repos))}>
                        {y.counts[l] ?? 0}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>

            <MonthlyAdditionsFigure points={s.adoption} repos={s.repos} />
            <table data-table="adoption">
              <caption>Commits adding safetensors per month</caption>
              <thead>
                <tr>
                  <th>Month</th>
                  <th class="num">Bot merges</th>
                  <th class="num">Others</th>
                </tr>
              </thead>
              <tbody>
                {s.adoption.map((p) => (
                  <tr key={p.month}>
                    <td>{p.month}</td>
                    <td class="num">{p.bot}</td>
                    <td class="num">{p.other}</td>
                  </tr>
                ))}
              </tbody>
            </table>

            <table data-table="unknown-formats">
              <caption>
                Files R1&ndash;R5 call unknown, by what their bytes are (each repo&rsquo;s newest commit). A
                Keras v3 file is a zip, which R4 calls torch.save: its real format is in commits.csv&rsquo;s
                picklens_format column.
              </caption>
              <thead>
                <tr>
                  <th>Format read</th>
                  <th class="num">Repos</th>
                  <th class="num">Files</th>
                </tr>
              </thead>
              <tbody>
                {unknown.map((u) => (
                  <tr key={u.format} data-format={u.format}>
                    <td>{u.format === 'unread' ? 'not read' : u.format}</td>
                    <td class="num">{u.repos}</td>
                    <td class="num">{u.files}</td>
                  </tr>
                ))}
                {!unknown.length && (
                  <tr>
                    <td colSpan={3} class="muted">
                      None: every model file recorded has an R1&ndash;R5 label.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>

            <table data-table="kept">
              <caption>
                Repos that added safetensors after holding a pickle, and those whose newest commit still holds
                any pickle-family file (torch.save, pickle, joblib, dill, TorchScript)
              </caption>
              <thead>
                <tr>
                  <th class="num">Converted repos</th>
                  <th class="num">Kept pickles</th>
                  <th class="num">Share</th>
                  <th class="num">Study</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td class="num">{s.kept.converted}</td>
                  <td class="num">{s.kept.keptPickles}</td>
                  <td class="num">{fmt(pct(s.kept.keptPickles, s.kept.converted))}</td>
                  <td class="num">{STUDY_N.keptPickles}% (pytorch_model.bin)</td>
                </tr>
              </tbody>
            </table>
          </section>
        </>
      )}

      <h2>Your data</h2>
      <div class="panel">
        <button type="button" onClick={() => void doExport()} disabled={!db || !!busy}>
          Export (zip: CSVs and JSON)
        </button>{' '}
        <label>
          Import a Picklens export{' '}
          <input
            type="file"
            name="import"
            accept=".zip,.json,application/zip,application/json"
            disabled={!db || !!busy}
            onChange={(e) => {
              const input = e.target as HTMLInputElement;
              void doImport(input.files?.[0]).finally(() => (input.value = ''));
            }}
          />
        </label>{' '}
        <button type="button" onClick={() => void doClear()} disabled={!!busy}>
          Clear my data
        </button>
        {/* What export, import and clear say, next to their buttons. */}
        <p role="status" aria-live="polite" data-status>
          {busy || message}
        </p>
        {importing && (
          <Progress
            value={importing.done}
            max={importing.total}
            label={`Importing: ${importing.done} of ${importing.total} records examined`}
          />
        )}
      </div>

      {data && data.repos.length > 0 && <RepoList repos={data.repos} />}
    </main>
  );
}

/**
 * The study's headline measures by its own definitions (the same numbers `npm run study` prints), each
 * beside the study's published value, with its n; Picklens's broader count beside, never instead. Then the
 * study's four figures, each followed by the table behind it.
 */
function StudyMeasuresView({
  m,
  added,
  prYears,
}: {
  m: StudyMeasures;
  added: StudySafetensorsCommit[];
  prYears: PrYear[];
}) {
  const k = m.keptPickles;
  const p = m.pullRequests;
  const t = m.picklens.timeToAdoption;
  const by = m.picklens.mergedBy;
  // The commits adding safetensors by day, counted once for Figs. 4 and 5 and the table behind them.
  const days = useMemo(() => dayCounts(added), [added]);
  const c = m.safetensorsCommits;
  const row = (id: string, label: string, value: string, n: number, study: string, note = '') => (
    <tr data-measure={id}>
      <td>{label}</td>
      <td class="num" data-value>
        {value}
      </td>
      <td class="num" data-n>
        {n}
      </td>
      <td class="num">{study}</td>
      <td>{note}</td>
    </tr>
  );
  return (
    <section data-section="study-measures">
      <h2>The study&rsquo;s measures, by its definitions</h2>
      <table data-table="study-measures">
        <caption>
          {m.repos} repos, {m.commits} commits (the study: {STUDY_N.repos} repos, {STUDY_N.commits} commits)
        </caption>
        <thead>
          <tr>
            <th>Measure</th>
            <th class="num">Here</th>
            <th class="num">n</th>
            <th class="num">Study</th>
            <th>Picklens also sees</th>
          </tr>
        </thead>
        <tbody>
          {row(
            'safetensorsCommits',
            'Commits adding safetensors, by the conversion tool',
            `${c.converter} of ${c.total} (${fmt(pct(c.converter, c.total))})`,
            c.total,
            `${STUDY_N.toolShare}%`,
            `${c.others} by others`,
          )}
          {row(
            'keptPytorchModelBin',
            'Converted repos still holding pytorch_model.bin',
            `${k.keptPytorchModelBin} of ${k.convertedRepos} (${fmt(pct(k.keptPytorchModelBin, k.convertedRepos))})`,
            k.convertedRepos,
            `${STUDY_N.keptPickles}%`,
            `${k.keptAnyPickle} still hold any pickle`,
          )}
          {row(
            'timeToAdoption',
            'Days from the safetensors release (2022-09-22) to a repo\u2019s first safetensors commit',
            t.repos ? `first ${t.first ?? ''}, median ${t.median ?? ''}, 80% by ${t.p80 ?? ''}` : '—',
            t.repos,
            `first ${STUDY_N.firstAdoptionDays}`,
            'repos that added safetensors',
          )}
          {row(
            'prsOpen',
            'SFconvertbot PRs still open',
            `${p.open} of ${p.total} (${fmt(pct(p.open, p.total))})`,
            p.total,
            `${STUDY_N.prsOpen}%`,
            `${p.closed} closed, ${p.draft} draft`,
          )}
          {row(
            'prsMerged',
            'SFconvertbot PRs merged',
            `${p.merged} of ${p.total} (${fmt(pct(p.merged, p.total))})`,
            p.total,
            `${STUDY_N.prsMerged}%`,
            `by Hub staff ${by.staff}, by others ${by.others}${by.unknown ? `, not known ${by.unknown}` : ''}`,
          )}
        </tbody>
      </table>
      {m.repos < SMALL_N && (
        <p class="muted" data-small-n>
          Small n: {m.repos} repos. Each repo moves these shares a lot; the study counted {STUDY_N.repos}.
        </p>
      )}
      <CalendarFigure days={days} repos={m.repos} />
      <DailyFigure days={days} repos={m.repos} />
      <DailyTable days={days} />
      <SharesFigure shares={m.yearlyShares} repos={m.repos} />
      <table data-table="study-shares">
        <caption>
          Yearly shares of model files by the study&rsquo;s seven classes (Fig. 6), carried forward
        </caption>
        <thead>
          <tr>
            <th>Year</th>
            <th class="num">Files</th>
            {STUDY_CLASSES.map((c) => (
              <th class="num" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.yearlyShares.map((y) => (
            <tr key={y.year} data-year={y.year}>
              <td>{y.year}</td>
              <td class="num">{y.files}</td>
              {STUDY_CLASSES.map((c) => (
                <td class="num" key={c} data-class={c}>
                  {y.files ? y.percent[c].toFixed(1) : '—'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <PrStatesFigure years={prYears} repos={m.repos} />
      <table data-table="prs">
        <caption>SFconvertbot pull requests by the year they were opened</caption>
        <thead>
          <tr>
            <th>Year</th>
            <th class="num">Open</th>
            <th class="num">Merged</th>
            <th class="num">Closed</th>
            <th class="num">Draft</th>
          </tr>
        </thead>
        <tbody>
          {prYears.map((y) => (
            <tr key={y.year}>
              <td>{y.year}</td>
              <td class="num">{y.open}</td>
              <td class="num">{y.merged}</td>
              <td class="num">{y.closed}</td>
              <td class="num">{y.draft}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The most recently active recorded repos, each linking to its repo view. */
function RepoList({ repos }: { repos: RepoRecord[] }) {
  const shown = [...repos]
    .sort((a, b) => Math.max(b.lastVisit, b.history?.at ?? 0) - Math.max(a.lastVisit, a.history?.at ?? 0))
    .slice(0, 200);
  const viewUrl = (key: string) =>
    `${(browser.runtime.getURL as (p: string) => string)('/popup.html')}?repo=${encodeURIComponent(key)}`;
  return (
    <details>
      <summary>
        Recorded repos ({repos.length}
        {repos.length > shown.length ? `, the ${shown.length} most recent shown` : ''})
      </summary>
      <ul>
        {shown.map((r) => (
          <li key={r.repoKey}>
            <a href={viewUrl(r.repoKey)} target="_blank" rel="noreferrer">
              {r.id}
            </a>{' '}
            <span class="muted">
              {r.type}
              {r.history ? `, ${r.history.commits} commits` : ', no history yet'}
              {r.visits ? `, ${r.visits} visits` : ''}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A repo key as people write the repo: `org/name`, `datasets/org/name` (never the internal `model:`). */
function shownId(key: string): string {
  return /^(model|dataset|space):/.test(key) ? repoPath(parseRepoKey(key)) : key;
}

function Batch({ onDone, visited }: { onDone: () => void; visited: string[] }) {
  const [text, setText] = useState('');
  const [exhaustive, setExhaustive] = useState(false);
  const [status, setStatus] = useState<BatchStatus | null>(null);
  const [error, setError] = useState('');
  const wasRunning = useRef(false);
  const done = useRef(onDone);
  done.current = onDone;

  useEffect(() => {
    let stop = false;
    const poll = async () => {
      const st = await send('batchStatus', {}).catch(() => null);
      if (stop) return;
      setStatus(st);
      if (wasRunning.current && st?.state !== 'running') done.current();
      wasRunning.current = st?.state === 'running';
    };
    void poll();
    const timer = setInterval(() => void poll(), 500);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);

  const act = async (p: Promise<BatchStatus | null>) => {
    setError('');
    try {
      const st = await p;
      setStatus(st);
      wasRunning.current = st?.state === 'running';
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    // One id per line; in a CSV, the first column.
    const lines = (await file.text()).split(/\r?\n/).map((l) => l.split(',')[0]?.replace(/^"|"$/g, '') ?? '');
    setText(lines.filter((l) => l && l !== 'repo_url' && l !== 'id').join('\n'));
  };
  const running = status?.state === 'running';
  // Checked as typed: a bad line is shown with its number before anything is fetched, and blocks Start.
  const parsed = useMemo(() => parseIdList(text), [text]);
  const bad = parsed.invalid.map((raw, i) => ({ raw, line: parsed.lines[i] ?? 0 }));
  return (
    <section aria-labelledby="batch-title">
      <h2 id="batch-title">Batch collection</h2>
      <div class="panel">
        <label for="batch-ids">
          Repo ids or URLs, one per line (commas allowed; datasets/…, spaces/… for those)
        </label>
        <textarea
          id="batch-ids"
          name="ids"
          rows={5}
          style={{ width: '100%', boxSizing: 'border-box' }}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        <label>
          From a file{' '}
          <input
            type="file"
            name="ids-file"
            accept=".txt,.csv,text/plain,text/csv"
            onChange={(e) => void upload((e.target as HTMLInputElement).files?.[0])}
          />
        </label>{' '}
        <button type="button" onClick={() => setText(visited.join('\n'))} disabled={!visited.length}>
          Take the visited repos ({visited.length})
        </button>{' '}
        <button
          type="button"
          onClick={() => {
            // A paused batch's remaining repos would be dropped: ask first.
            if (
              status?.state === 'paused' &&
              !window.confirm(
                `Replace the paused batch (${status.done} of ${status.total} repos done)? Its remaining repos will not be collected.`,
              )
            )
              return;
            void act(send('batchStart', { text, exhaustive }));
          }}
          disabled={!parsed.keys.length || bad.length > 0 || running}
        >
          Start
          {parsed.keys.length
            ? ` (${parsed.keys.length} ${parsed.keys.length === 1 ? 'repo' : 'repos'})`
            : ''}
        </button>{' '}
        {running ? (
          <button type="button" onClick={() => void act(send('batchPause', {}))}>
            Pause
          </button>
        ) : (
          status?.state === 'paused' && (
            <button type="button" onClick={() => void act(send('batchResume', {}))}>
              Resume
            </button>
          )
        )}
        <label style={{ display: 'block', marginTop: '.35rem' }}>
          <input
            type="checkbox"
            name="exhaustive"
            checked={exhaustive}
            onChange={(e) => setExhaustive((e.target as HTMLInputElement).checked)}
          />{' '}
          Read every commit&rsquo;s files (more API calls; sees a change undone between two commits with the
          same model files, which the default bisection skips)
        </label>
        {bad.length > 0 && (
          <div role="alert" data-batch-invalid={bad.length}>
            <p>
              {bad.length} {bad.length === 1 ? 'line is' : 'lines are'} not a repo id (an id is{' '}
              <code>org/name</code>, <code>datasets/org/name</code> or a huggingface.co URL); nothing is
              fetched until {bad.length === 1 ? 'it is' : 'they are'} fixed or removed.{' '}
              <button
                type="button"
                onClick={() => {
                  const drop = new Set(bad.map((b) => b.line));
                  setText(
                    text
                      .split(/\r?\n/)
                      .filter((_, i) => !drop.has(i + 1))
                      .join('\n'),
                  );
                }}
              >
                Remove {bad.length === 1 ? 'it' : `the ${bad.length} lines`}
              </button>
            </p>
            <ul>
              {bad.slice(0, 10).map((b, i) => (
                <li key={i}>
                  line {b.line}: <code>{b.raw.slice(0, 120)}</code>
                </li>
              ))}
              {bad.length > 10 && <li>and {bad.length - 10} more</li>}
            </ul>
          </div>
        )}
        {error && <p role="alert">{error}</p>}
        {status && (
          <div data-batch-state={status.state} data-batch-done={status.done} data-batch-total={status.total}>
            <Progress
              value={status.done}
              max={status.total}
              label={`${status.state === 'done' ? 'Finished' : status.state === 'paused' ? 'Paused' : 'Collecting'}: ${status.done} of ${status.total} repos${status.failed ? `, ${status.failed} failed` : ''}${status.current ? ` · ${shownId(status.current.id)}${status.current.progress ? `: ${progressText(status.current.progress)}` : ''}` : ''}`}
            />
            {status.errors.length > 0 && (
              // A long list stays folded: the page below it stays where it was.
              <details open={status.errors.length <= 10} data-batch-errors={status.errors.length}>
                <summary>
                  {status.errors.length} {status.errors.length === 1 ? 'repo' : 'repos'} could not be
                  collected
                </summary>
                <table data-table="batch-errors">
                  <tbody>
                    {status.errors.slice(0, 500).map((e) => (
                      <tr key={e.id}>
                        <td>{shownId(e.id)}</td>
                        <td>{e.error}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {status.errors.length > 500 && <p class="muted">The first 500 are listed.</p>}
              </details>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
