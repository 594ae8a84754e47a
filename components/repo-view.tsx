// One repo as recorded (the popup): summary, conversion PRs, findings, and the per-commit format history.
// Shows what IndexedDB holds at once (offline too), then collects the history from the Hub with progress
// and shows it again. Every string from the Hub is rendered as text (Preact escapes it).
import { useEffect, useState } from 'preact/hooks';
import type { HistoryProgress } from '@/lib/background/history';
import type { CommitRecord, PullRequestRecord, RepoRecord } from '@/lib/db/schema';
import { withName } from '@/lib/formats/names';
import type { RepoCode } from '@/lib/formats/repo-code';
import type { Verdict } from '@/lib/formats/types';
import { plainError } from '@/lib/hub/errors';
import { send } from '@/lib/messaging-client';
import { HUB_ORIGIN, repoPath, type RepoRef } from '@/lib/hub/url';
import { modelHistory, repoFindings } from '@/lib/stats/repo-view';
import { Progress, progressText } from './progress';
import { VERIFY_WORDS, summarize } from '@/lib/hub/verify-summary';

/** A history collected longer ago than this is collected again when the popup opens. */
const STALE_AFTER_MS = 60 * 60 * 1000;

interface View {
  repo: RepoRecord | null;
  commits: CommitRecord[];
  prs: PullRequestRecord[];
  verdicts: Record<string, Verdict>;
}

const DAY = 86_400_000;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How long ago, in one style everywhere: "today", "3 days ago", "5 months ago", "1.2 years ago". */
function ago(at: number, now = Date.now()): string {
  const days = Math.floor((now - at) / DAY);
  if (days < 1) return 'today';
  if (days < 60) return `${plural(days, 'day')} ago`;
  if (days < 730) return `${plural(Math.floor(days / 30.44), 'month')} ago`;
  return `${(days / 365.25).toFixed(1)} years ago`;
}

/** A date as the popup shows every date: relative, the exact UTC time on hover (and for readers). */
function When({ at }: { at: string | number }) {
  const t = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(t)) return <span>{String(at)}</span>;
  const exact = `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return (
    <time dateTime={new Date(t).toISOString()} title={exact}>
      {ago(t)}
    </time>
  );
}

function hubUrl(repo: RepoRef, path = ''): string {
  return `${HUB_ORIGIN}/${repoPath(repo)}${path}`;
}

export function RepoView({ repo }: { repo: RepoRef }) {
  const [view, setView] = useState<View | null>(null);
  const [progress, setProgress] = useState<HistoryProgress | null>(null);
  const [collecting, setCollecting] = useState(false);
  const [error, setError] = useState('');
  const [code, setCode] = useState<RepoCode | 'unread' | null>(null);

  const load = () =>
    send('repoView', { repo }).then(setView, (e: unknown) =>
      setError(`Could not read the record: ${String(e)}`),
    );

  const collect = async () => {
    setCollecting(true);
    setError('');
    const timer = setInterval(() => {
      void send('collectProgress', { repo }).then(
        (p) => p && setProgress(p),
        () => undefined,
      );
    }, 250);
    try {
      await send('collectRepo', { repo });
    } catch (e) {
      setError(`${plainError(e, repo.id)} Showing what is recorded.`);
    } finally {
      clearInterval(timer);
      setProgress(null);
      setCollecting(false);
      await load();
    }
  };

  useEffect(() => {
    void send('repoCode', { repo, rev: 'main' }).then(setCode, () => setCode('unread'));
    void (async () => {
      const v = await send('repoView', { repo }).catch(() => null);
      setView(v ?? { repo: null, commits: [], prs: [], verdicts: {} });
      if (!v?.repo?.history || Date.now() - v.repo.history.at > STALE_AFTER_MS) await collect();
    })();
    // The repo is fixed for the popup's life: this runs once.
  }, []);

  const rows = view ? modelHistory(view.commits) : [];
  const findings = view ? repoFindings(view.commits) : { stale: [], lying: [] };
  const head = rows.length && view ? view.commits[view.commits.length - 1] : undefined;
  const history = view?.repo?.history;

  return (
    <section aria-labelledby="repo-title" data-picklens-repo={`${repo.type}:${repo.id}`}>
      <h1 id="repo-title">
        <a href={hubUrl(repo)} target="_blank" rel="noreferrer">
          {repo.id}
        </a>{' '}
        <span class="muted">{repo.type}</span>
      </h1>
      {collecting && (
        <Progress
          value={progress?.done}
          max={progress?.total}
          label={progress ? progressText(progress) : 'Asking the Hub…'}
        />
      )}
      {error && (
        <p role="alert" class="finding danger">
          {error}
        </p>
      )}
      {view && (
        <>
          <p class="muted" data-section="summary">
            {history ? (
              <>
                {plural(history.commits, 'commit')} on main{history.truncated ? ' (newest only)' : ''},{' '}
                {plural(rows.length, 'commit')} changing model files; collected <When at={history.at} />
                {history.unread ? `; ${plural(history.unread, 'file version')} could not be read` : ''}
                {history.inferred
                  ? `; ${plural(history.inferred, 'commit')} between two with the same model files were not read`
                  : ''}
                .
              </>
            ) : collecting ? (
              ''
            ) : (
              'No history recorded for this repo yet.'
            )}
            {view.repo && view.repo.visits > 0 && ` Visited ${plural(view.repo.visits, 'time')}.`}
          </p>
          {!collecting && (
            <button type="button" onClick={() => void collect()}>
              {history ? 'Collect again' : 'Collect history'}
            </button>
          )}
          {head && (
            <div class="panel" data-section="now">
              <strong>Now:</strong>{' '}
              {head.files.length
                ? head.files.map((f) => {
                    // Risk from this browser's own verdict (with this file's name), never from imported data.
                    const own = f.contentKey ? view.verdicts[f.contentKey] : undefined;
                    const v = own ? withName(own, f.path) : undefined;
                    return (
                      <span
                        class={`tag risk-${v?.risk ?? 'unknown'}`}
                        key={f.path}
                        title={f.path}
                        data-path={f.path}
                        data-risk={v?.risk ?? 'not-read-here'}
                      >
                        {f.path}: {v?.format ?? f.format ?? 'unread'}
                        {v ? ` (${v.risk})` : ' (not read in this browser)'}
                      </span>
                    );
                  })
                : 'no model files'}
            </div>
          )}
          <h2>Conversion pull requests</h2>
          {view.prs.length ? (
            <table data-table="prs">
              <thead>
                <tr>
                  <th>PR</th>
                  <th>State</th>
                  <th>Opened</th>
                  <th>History</th>
                  <th>Same model?</th>
                </tr>
              </thead>
              <tbody>
                {view.prs.map((p) => (
                  <tr key={p.num}>
                    <td>
                      <a href={hubUrl(repo, `/discussions/${p.num}`)} target="_blank" rel="noreferrer">
                        #{p.num}
                      </a>
                    </td>
                    <td data-pr-status={p.status}>{p.status}</td>
                    <td>
                      opened <When at={p.createdAt} />
                    </td>
                    <td data-pr-history>
                      {/* The Hub's own status changes when known (dates and who), else what this browser saw. */}
                      {p.events?.length
                        ? p.events.map((e, i) => (
                            <span key={i}>
                              {i ? ' → ' : 'opened → '}
                              {e.status} <When at={e.at} />
                              {e.by ? ` by ${e.by}${e.staff ? ' (Hub staff)' : ''}` : ''}
                            </span>
                          ))
                        : p.history.map((h, i) => (
                            <span key={i}>
                              {i ? ' → ' : ''}
                              {h.status} (seen <When at={h.at} />)
                            </span>
                          ))}
                    </td>
                    <VerifyCell repo={repo} pr={p} />
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No SFconvertbot pull request recorded.</p>
          )}
          <h2>Findings</h2>
          <div data-section="findings">
            {findings.keptPickles && (
              <p class="finding" data-finding="kept-pickles">
                Safetensors added <When at={findings.keptPickles.convertedAt} /> but the old pickle weights
                were kept: {findings.keptPickles.pickles.join(', ')}. Loaders that prefer them still run a
                pickle.
              </p>
            )}
            {findings.stale.map((s) => (
              <p class="finding" data-finding="stale" key={s.path}>
                {s.path} changed <When at={s.changedAt} />, after the newest safetensors file (added{' '}
                <When at={s.safetensorsAt} />
                ): the safetensors may hold the old weights.
              </p>
            ))}
            {findings.lying.map((l) => (
              <p class="finding danger" data-finding="lying" key={l.path}>
                {l.path}: {l.message}
              </p>
            ))}
            {!findings.keptPickles && !findings.stale.length && !findings.lying.length && (
              <p class="muted">None in the recorded history.</p>
            )}
          </div>
          <h2>Code its loaders run</h2>
          <div data-section="code" aria-busy={code === null}>
            {code === null && <p class="muted">Reading the repo’s configs…</p>}
            {code === 'unread' && <p class="muted">The Hub could not be asked: not known.</p>}
            {code !== null &&
              code !== 'unread' &&
              (code.findings.length ? (
                code.findings.map((f, i) => (
                  <p
                    class={`finding${f.severity === 'danger' ? ' danger' : ''}`}
                    data-finding={f.code}
                    key={`${f.code}${i}`}
                  >
                    {f.message}
                  </p>
                ))
              ) : (
                <p class="muted">No Python files and no auto_map: loading runs no code of this repo.</p>
              ))}
          </div>
          <h2>Format history</h2>
          {rows.length ? (
            <table data-table="history">
              <caption>
                Commits that changed model files, oldest first, and the formats present after each.
              </caption>
              <thead>
                <tr>
                  <th>Date</th>
                  <th>Commit</th>
                  <th>Changed</th>
                  <th>Formats after</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.sha} data-sha={r.sha}>
                    <td>
                      <When at={r.date} />
                    </td>
                    <td>
                      <a href={hubUrl(repo, `/commit/${r.sha}`)} target="_blank" rel="noreferrer" class="sha">
                        {r.sha.slice(0, 7)}
                      </a>{' '}
                      {r.title}
                      {r.bot && <span class="tag">bot</span>}
                    </td>
                    <td class="paths">
                      {[
                        ...r.added.map((p) => `+${p}`),
                        ...r.changed.map((p) => `~${p}`),
                        ...r.removed.map((p) => `−${p}`),
                      ].join(' ')}
                    </td>
                    <td data-formats={r.formats.map((f) => f.format).join(' ')}>
                      {r.formats.map((f) => `${f.format}${f.files > 1 ? ` ×${f.files}` : ''}`).join(', ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            !collecting && <p class="muted">No commit that changed model files is recorded.</p>
          )}
        </>
      )}
    </section>
  );
}

/**
 * A conversion PR's last check (is its safetensors the same model as the checkpoint?), and a button that
 * checks it now: the background reads headers and sampled bytes (lib/hub/verify-pr.ts).
 */
function VerifyCell({ repo, pr }: { repo: RepoRef; pr: PullRequestRecord }) {
  const [v, setV] = useState(pr.verification);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const check = () => {
    setBusy(true);
    setError(undefined);
    send('verifyPr', { repo, num: pr.num, again: true }).then(
      (r) => {
        setV(summarize(r, Date.now()));
        setBusy(false);
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        setBusy(false);
      },
    );
  };
  return (
    <td data-pr-verify={v?.verdict ?? 'unchecked'}>
      {v ? (
        <span title={[...v.differences, v.reason ?? ''].filter(Boolean).join('\n')}>
          {VERIFY_WORDS[v.verdict]}
          {v.differenceCount
            ? ` (${v.differenceCount} difference${v.differenceCount === 1 ? '' : 's'})`
            : ''}{' '}
          · checked <When at={v.at} />{' '}
        </span>
      ) : (
        <span class="muted">not checked </span>
      )}
      <button type="button" onClick={check} disabled={busy}>
        {busy ? 'Checking…' : v ? 'Check again' : 'Check'}
      </button>
      {error ? <span role="alert"> could not check: {error}</span> : null}
    </td>
  );
}
