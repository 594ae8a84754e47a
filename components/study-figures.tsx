// The study's figures (Figs. 4–7), drawn by Observable Plot through PlotFigure: what each shows is the
// study's definition (lib/stats/study.ts); the tables behind them stay on the stats page.
import * as Plot from '@observablehq/plot';
import { useMemo } from 'preact/hooks';
import { STUDY_CLASSES, type studyMeasures } from '@/lib/stats/study';
import { PALETTE, PlotFigure } from './plot-figure';

const PR_STATE_NAMES = ['open', 'merged', 'closed', 'draft'] as const;

/** Fig. 7: SFconvertbot PRs by the year they were opened, stacked by state; the table follows it. */
export function PrStatesFigure({
  years,
}: {
  years: { year: string; open: number; merged: number; closed: number; draft: number }[];
}) {
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
      title="SFconvertbot pull requests by year opened, by state"
      options={options}
      empty={years.length ? undefined : 'No SFconvertbot pull request recorded in this range.'}
    />
  );
}

/** Fig. 6: the study's yearly shares of model files by class, each year's bar 100%. */
export function SharesFigure({ shares }: { shares: ReturnType<typeof studyMeasures>['yearlyShares'] }) {
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
      empty={shares.some((y) => y.files) ? undefined : 'No model file with a class in this range.'}
    />
  );
}

const DAY_MS = 86_400_000;

/**
 * The commits adding safetensors counted per day, the conversion tool's apart, oldest day first: what
 * Figs. 4 and 5 draw and the table behind them lists.
 */
function dayCounts(
  commits: { date: string; tool: boolean }[],
): { day: string; tool: number; others: number }[] {
  const m = new Map<string, { day: string; tool: number; others: number }>();
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
export function CalendarFigure({ commits }: { commits: { date: string; tool: boolean }[] }) {
  const options = useMemo(() => {
    const data = dayCounts(commits).map(({ day, tool, others }) => {
      const n = tool + others;
      const date = new Date(`${day}T00:00:00Z`);
      const jan1 = Date.UTC(date.getUTCFullYear(), 0, 1);
      const offset = new Date(jan1).getUTCDay();
      return {
        date,
        n,
        year: date.getUTCFullYear(),
        week: Math.floor(((date.getTime() - jan1) / DAY_MS + offset) / 7),
        weekday: date.getUTCDay(),
      };
    });
    return {
      height: 60 + 120 * new Set(data.map((d) => d.year)).size,
      padding: 0.1,
      x: { axis: null, domain: Array.from({ length: 54 }, (_, i) => i) },
      y: { tickFormat: (d: number) => 'SMTWTFS'[d] ?? '', label: null, domain: [0, 1, 2, 3, 4, 5, 6] },
      fy: { label: null, tickFormat: (y: number) => String(y) },
      color: {
        type: 'log' as const,
        scheme: 'YlGnBu' as const,
        legend: true,
        label: 'commits adding safetensors',
      },
      marks: [
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
  }, [commits]);
  return (
    <PlotFigure
      id="fig4-calendar"
      title="Days on which safetensors was added (the study's Fig. 4)"
      options={options}
      empty={commits.length ? undefined : 'No commit adding safetensors in this range.'}
    />
  );
}

/** Fig. 5: commits adding safetensors per day, the conversion tool's against the others', on a log scale. */
export function DailyFigure({ commits }: { commits: { date: string; tool: boolean }[] }) {
  const options = useMemo(
    () => ({
      x: { type: 'utc' as const, label: 'day' },
      y: {
        type: 'log' as const,
        grid: true,
        label: 'commits adding safetensors',
        domain: [1, Math.max(10, commits.length)],
      },
      color: { legend: true, domain: ['conversion tool', 'others'], range: [PALETTE[4], PALETTE[5]] },
      marks: [
        Plot.dot(
          dayCounts(commits).flatMap(({ day, tool, others }) =>
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
    [commits],
  );
  return (
    <PlotFigure
      id="fig5-daily"
      title="Commits adding safetensors per day, by the conversion tool and by others (the study's Fig. 5)"
      options={options}
      empty={commits.length ? undefined : 'No commit adding safetensors in this range.'}
    />
  );
}

/** The table behind Figs. 4 and 5: each day with a commit adding safetensors, by the tool and by others. */
export function DailyTable({ commits }: { commits: { date: string; tool: boolean }[] }) {
  const rows = useMemo(() => dayCounts(commits), [commits]);
  if (!rows.length) return null;
  return (
    <details>
      <summary>The {rows.length} days behind Figs. 4 and 5</summary>
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
    </details>
  );
}
