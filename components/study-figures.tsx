// The study's figures (Figs. 4–7), drawn by Observable Plot through PlotFigure: what each shows is the
// study's definition (lib/stats/study.ts); the tables behind them stay on the stats page.
import * as Plot from '@observablehq/plot';
import { useMemo, useState } from 'preact/hooks';
import { STUDY_CLASSES, STUDY_N, type studyMeasures } from '@/lib/stats/study';
import { PALETTE, PlotFigure } from './plot-figure';

const PR_STATE_NAMES = ['open', 'merged', 'closed', 'draft'] as const;

const percent = (a: number, b: number) => `${(b ? (100 * a) / b : 0).toFixed(1)}%`;

/** Fig. 7: SFconvertbot PRs by the year they were opened, stacked by state; the table follows it. */
export function PrStatesFigure({
  years,
  repos,
}: {
  years: { year: string; open: number; merged: number; closed: number; draft: number }[];
  repos: number;
}) {
  const sum = (k: (typeof PR_STATE_NAMES)[number]) => years.reduce((n, y) => n + y[k], 0);
  const total = PR_STATE_NAMES.reduce((n, k) => n + sum(k), 0);
  const options = useMemo(() => {
    const data = years.flatMap((y) => PR_STATE_NAMES.map((state) => ({ year: y.year, state, n: y[state] })));
    return {
      x: { type: 'band' as const, label: 'year opened' },
      y: { grid: true, label: 'pull requests' },
      color: {
        legend: true,
        domain: [...PR_STATE_NAMES],
        range: [PALETTE[0], PALETTE[2], PALETTE[5], '#999999'],
      },
      marks: [
        Plot.barY(data, {
          x: 'year',
          y: 'n',
          fill: 'state',
          title: (d: { year: string; state: string; n: number }) => `${d.year}: ${d.n} ${d.state}`,
        }),
        Plot.ruleY([0]),
      ],
    };
  }, [years]);
  return (
    <PlotFigure
      id="fig7-pr-states"
      title="SFconvertbot pull requests by year opened, by state (the study's Fig. 7)"
      options={options}
      n={`${total} pull requests: ${percent(sum('open'), total)} open, ${percent(sum('merged'), total)} merged`}
      study={`${STUDY_N.prsOpen}% open, ${STUDY_N.prsMerged}% merged`}
      repos={repos}
      empty={years.length ? undefined : 'No SFconvertbot pull request recorded in this range.'}
    />
  );
}

/** Fig. 6: the study's yearly shares of model files by class, each year's bar 100%. */
export function SharesFigure({
  shares,
  repos,
}: {
  shares: ReturnType<typeof studyMeasures>['yearlyShares'];
  repos: number;
}) {
  const last = shares[shares.length - 1];
  const options = useMemo(() => {
    const data = shares.flatMap((y) =>
      STUDY_CLASSES.map((c) => ({ year: String(y.year), cls: c, percent: y.percent[c], files: y.files })),
    );
    return {
      x: { type: 'band' as const, label: 'year' },
      y: { grid: true, label: 'share of model files (%)', domain: [0, 100] },
      color: { legend: true, domain: [...STUDY_CLASSES], range: PALETTE },
      marks: [
        Plot.barY(data, {
          x: 'year',
          y: 'percent',
          fill: 'cls',
          title: (d: { year: string; cls: string; percent: number; files: number }) =>
            `${d.year}: ${d.cls} ${d.percent.toFixed(1)}% of ${d.files} files`,
        }),
        Plot.ruleY([0]),
      ],
    };
  }, [shares]);
  return (
    <PlotFigure
      id="fig6-shares"
      title="Model files by format and year (the study's Fig. 6: each repo's files carried forward)"
      options={options}
      n={`${repos} repos; ${last?.files ?? 0} model files with a class in ${last?.year ?? '—'}`}
      study={`${STUDY_N.repos} repos, ${STUDY_N.commits} commits (the figure's numbers are not in its text)`}
      repos={repos}
      empty={shares.some((y) => y.files) ? undefined : 'No model file with a class in this range.'}
    />
  );
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One day's commits adding safetensors: by the conversion tool, and by others. */
interface DayCount {
  day: string;
  tool: number;
  others: number;
}

/** The commits of a list of days. */
const commitsOf = (days: DayCount[]) => days.reduce((n, d) => n + d.tool + d.others, 0);

/**
 * The commits adding safetensors counted per day, the conversion tool's apart, oldest day first: what
 * Figs. 4 and 5 draw and the table behind them lists.
 */
export function dayCounts(commits: { date: string; tool: boolean }[]): DayCount[] {
  const m = new Map<string, DayCount>();
  for (const c of commits) {
    const day = c.date.slice(0, 10);
    const d = m.get(day) ?? { day, tool: 0, others: 0 };
    if (c.tool) d.tool++;
    else d.others++;
    m.set(day, d);
  }
  return [...m.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** Fig. 4: a calendar of the days safetensors was added, one row of weeks per year, darker for more commits. */
export function CalendarFigure({ days, repos }: { days: DayCount[]; repos: number }) {
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const options = useMemo(() => {
    const place = (date: Date) => {
      const jan1 = Date.UTC(date.getUTCFullYear(), 0, 1);
      const offset = new Date(jan1).getUTCDay();
      return {
        year: date.getUTCFullYear(),
        week: Math.floor(((date.getTime() - jan1) / DAY_MS + offset) / 7),
        weekday: date.getUTCDay(),
      };
    };
    const data = days.map(({ day, tool, others }) => {
      const date = new Date(`${day}T00:00:00Z`);
      return { date, n: tool + others, ...place(date) };
    });
    const years = [...new Set(data.map((d) => d.year))];
    // Every day of each year drawn faintly, so that the empty days read as empty, not as missing.
    const all = years.flatMap((y) => {
      const out = [];
      for (let t = Date.UTC(y, 0, 1); t < Date.UTC(y + 1, 0, 1); t += DAY_MS) out.push(place(new Date(t)));
      return out;
    });
    // Month names under the week in which each month starts (in the first year shown; a day or so off in
    // the others).
    const first = years[0] ?? 2023;
    const monthWeeks = Array.from({ length: 12 }, (_, m) => place(new Date(Date.UTC(first, m, 1))).week);
    return {
      height: 60 + 120 * years.length,
      padding: 0.1,
      x: {
        domain: Array.from({ length: 54 }, (_, i) => i),
        ticks: monthWeeks,
        tickFormat: (w: number) => MONTHS[monthWeeks.indexOf(w)] ?? '',
        tickSize: 0,
        label: null,
      },
      y: { tickFormat: (d: number) => 'SMTWTFS'[d] ?? '', label: null, domain: [0, 1, 2, 3, 4, 5, 6] },
      fy: { label: null, tickFormat: (y: number) => String(y) },
      // Few commits faint, many strong, on either background: pale green to deep blue on light; on dark,
      // a mid blue to bright yellow (YlGnBu's deep end would sink into a dark page).
      color: {
        type: 'log' as const,
        range: dark ? ['#1d6fa3', '#ffffb2'] : ['#c7e9b4', '#0c2c84'],
        interpolate: 'hcl' as const,
        legend: true,
        label: 'commits adding safetensors',
      },
      marks: [
        Plot.cell(all, {
          x: 'week',
          y: 'weekday',
          fy: 'year',
          fill: 'currentColor',
          fillOpacity: 0.07,
          inset: 0.5,
        }),
        Plot.cell(data, {
          x: 'week',
          y: 'weekday',
          fy: 'year',
          fill: 'n',
          title: (d: { date: Date; n: number }) => `${d.date.toISOString().slice(0, 10)}: ${d.n}`,
          inset: 0.5,
        }),
      ],
    };
  }, [days, dark]);
  return (
    <PlotFigure
      id="fig4-calendar"
      title="Days on which safetensors was added (the study's Fig. 4)"
      options={options}
      n={`${commitsOf(days)} commits adding safetensors, on ${days.length} days, first ${days[0]?.day ?? '—'}`}
      study={`the first adoption ${STUDY_N.firstAdoptionDays} days after the release (2022-09-22)`}
      repos={repos}
      empty={days.length ? undefined : 'No commit adding safetensors in this range.'}
    />
  );
}

/** Fig. 5: commits adding safetensors per day, the conversion tool's against the others', on a log scale. */
export function DailyFigure({ days, repos }: { days: DayCount[]; repos: number }) {
  const total = commitsOf(days);
  const tool = days.reduce((n, d) => n + d.tool, 0);
  const options = useMemo(
    () => ({
      x: { type: 'utc' as const, label: null },
      y: {
        type: 'log' as const,
        grid: true,
        label: 'commits adding safetensors',
        domain: [1, Math.max(10, total)],
      },
      color: { legend: true, domain: ['conversion tool', 'others'], range: [PALETTE[4], PALETTE[5]] },
      marks: [
        Plot.dot(
          days.flatMap(({ day, tool, others }) =>
            [
              { day: new Date(`${day}T00:00:00Z`), who: 'conversion tool', n: tool },
              { day: new Date(`${day}T00:00:00Z`), who: 'others', n: others },
            ].filter((d) => d.n > 0),
          ),
          {
            x: 'day',
            y: 'n',
            stroke: 'who',
            title: (d: { day: Date; who: string; n: number }) =>
              `${d.day.toISOString().slice(0, 10)}: ${d.n} by ${d.who}`,
          },
        ),
      ],
    }),
    [days, total],
  );
  return (
    <PlotFigure
      id="fig5-daily"
      title="Commits adding safetensors per day, by the conversion tool and by others (the study's Fig. 5)"
      options={options}
      n={`${total} commits adding safetensors, ${percent(tool, total)} by the conversion tool`}
      study={`${STUDY_N.toolShare}% by the conversion tool`}
      repos={repos}
      empty={days.length ? undefined : 'No commit adding safetensors in this range.'}
    />
  );
}

/** The table behind Figs. 4 and 5: each day with a commit adding safetensors, by the tool and by others. */
export function DailyTable({ days: rows }: { days: DayCount[] }) {
  // Its rows are made when it is opened: at 10,000 repos a thousand rows nobody asked for slow the page.
  const [open, setOpen] = useState(false);
  if (!rows.length) return null;
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>The {rows.length} days behind Figs. 4 and 5</summary>
      {open && (
        <table data-table="study-days">
          <thead>
            <tr>
              <th>Day</th>
              <th class="num">By the conversion tool</th>
              <th class="num">By others</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.day}>
                <td>{r.day}</td>
                <td class="num">{r.tool}</td>
                <td class="num">{r.others}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
