// What Picklens measures beyond the study's definitions, drawn beside them by Observable Plot: repos holding
// each R1–R5 label by year, and the commits adding safetensors per month on a real time axis.
import * as Plot from '@observablehq/plot';
import { useMemo } from 'preact/hooks';
import { PAPER_LABELS } from '@/lib/formats/types';
import type { AdoptionPoint, YearShares } from '@/lib/stats/aggregates';
import { STUDY_N } from '@/lib/stats/study';
import { PALETTE, PlotFigure } from './plot-figure';

/** Each year, the share of its repos whose last commit that year holds a file of each label (not stacked:
 * a repo holding two labels counts in both). */
export function LabelReposFigure({ shares, repos }: { shares: YearShares[]; repos: number }) {
  const options = useMemo(() => {
    const data = shares.flatMap((y) =>
      PAPER_LABELS.filter((l) => y.counts[l]).map((label) => ({
        year: y.year,
        label,
        n: y.counts[label] ?? 0,
        of: y.repos,
        percent: (100 * (y.counts[label] ?? 0)) / Math.max(1, y.repos),
      })),
    );
    return {
      height: 300,
      fx: { label: 'year' },
      x: { axis: null, domain: PAPER_LABELS.filter((l) => data.some((d) => d.label === l)) },
      y: { grid: true, label: 'repos holding the format (%)', domain: [0, 100] },
      // The ten R1–R5 labels in Observable's ten-colour categorical scheme, made to be told apart on light
      // and dark backgrounds (no longer three reds for the torch labels, two purples for dill and pickle).
      color: { legend: true, domain: [...PAPER_LABELS], scheme: 'observable10' as const },
      marks: [
        Plot.barY(data, {
          fx: 'year',
          x: 'label',
          y: 'percent',
          fill: 'label',
          title: (d: { year: string; label: string; n: number; of: number; percent: number }) =>
            `${d.year}: ${d.n} of ${d.of} repos hold ${d.label} (${d.percent.toFixed(1)}%)`,
        }),
        Plot.ruleY([0]),
      ],
    };
  }, [shares]);
  return (
    <PlotFigure
      id="picklens-label-repos"
      title="Repos holding each format by R1–R5, by year (each repo's last commit in the year)"
      options={options}
      n={`${repos} repos`}
      study={`Fig. 6 counts files, not repos (above); ${STUDY_N.repos} repos in its sample`}
      repos={repos}
      empty={shares.length ? undefined : 'No commit recorded in this range.'}
    />
  );
}

/** Commits adding safetensors per calendar month, the bot's merges stacked on the others', months without any
 * commit left as gaps on the time axis. */
export function MonthlyAdditionsFigure({ points, repos }: { points: AdoptionPoint[]; repos: number }) {
  const total = points.reduce((n, p) => n + p.bot + p.other, 0);
  const bot = points.reduce((n, p) => n + p.bot, 0);
  const options = useMemo(() => {
    const data = points.flatMap((p) =>
      [
        { month: new Date(`${p.month}-01T00:00:00Z`), who: 'merged from SFconvertbot', n: p.bot },
        { month: new Date(`${p.month}-01T00:00:00Z`), who: 'other commits', n: p.other },
      ].filter((d) => d.n > 0),
    );
    return {
      x: { type: 'utc' as const, label: null },
      y: { grid: true, label: 'commits adding safetensors' },
      color: {
        legend: true,
        domain: ['merged from SFconvertbot', 'other commits'],
        range: [PALETTE[4], PALETTE[5]],
      },
      marks: [
        Plot.rectY(data, {
          x: 'month',
          interval: 'month',
          y: 'n',
          fill: 'who',
          inset: 0.5,
          title: (d: { month: Date; who: string; n: number }) =>
            `${d.month.toISOString().slice(0, 7)}: ${d.n} ${d.who}`,
        }),
        Plot.ruleY([0]),
      ],
    };
  }, [points]);
  return (
    <PlotFigure
      id="picklens-monthly"
      title="Commits adding safetensors per month: merges of SFconvertbot's PRs and the rest"
      options={options}
      n={`${total} commits, ${bot} merged from the bot's PRs (by author or title, not the tool's message)`}
      study={`${STUDY_N.toolShare}% through the conversion tool`}
      repos={repos}
      empty={points.length ? undefined : 'No commit adding safetensors in this range.'}
    />
  );
}
