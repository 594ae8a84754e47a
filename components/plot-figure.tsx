// A figure drawn by Observable Plot (@observablehq/plot): real axes with ticks, a legend, a title and a
// tooltip per mark, in the page's own text colour (light and dark), with SVG and PNG downloads and an honest
// empty state. The table behind each figure stays next to it on the page.
import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'preact/hooks';
import { SMALL_N, STUDY_N } from '@/lib/stats/study';

/**
 * The study's seven classes and the PR states, in the Okabe–Ito palette (distinct for the common colour
 * vision deficiencies, and on light and dark backgrounds alike).
 */
export const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'];

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The figure's SVG as a standalone file: the page's text colour written in, so it reads the same elsewhere. */
function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.style.color = getComputedStyle(svg).color;
  copy.style.background = getComputedStyle(document.body).backgroundColor;
  return new XMLSerializer().serializeToString(copy);
}

function downloadPng(svg: SVGSVGElement, name: string): void {
  const img = new Image();
  const { width, height } = svg.getBoundingClientRect();
  img.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * 2);
    canvas.height = Math.ceil(height * 2);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0, width, height);
    canvas.toBlob((b) => b && save(b, `${name}.png`));
  };
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(svg))}`;
}

export function PlotFigure(props: {
  /** For the file names and the test hooks. */
  id: string;
  title: string;
  /** Plot's options, without the title (given here) and the size (the figure's). */
  options: Plot.PlotOptions;
  /** Said instead of a figure when there is nothing to draw. */
  empty?: string;
  /** What the figure counts (its n) and the study's published value to read it against. */
  n?: string;
  study?: string;
  /** Repos behind the figure: under SMALL_N the figure says that each one moves it a lot. */
  repos?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host || props.empty) return;
    const fig = Plot.plot({
      width: Math.max(480, Math.min(960, host.clientWidth || 720)),
      height: 280,
      style: { color: 'currentColor', background: 'transparent', fontSize: '12px' },
      ...props.options,
    });
    host.replaceChildren(fig);
    // For `npm run bench`: when the last figure was drawn, from the page's navigation.
    document.body.dataset.figureAt = String(Math.round(performance.now()));
    return () => fig.remove();
  }, [props.options, props.empty]);
  const svg = () => ref.current?.querySelector<SVGSVGElement>('svg:not([class$="-swatches"] svg)') ?? null;
  return (
    <figure class="plot" data-figure={props.id}>
      <figcaption>
        <strong>{props.title}</strong>{' '}
        {!props.empty && (
          <span class="downloads">
            <button
              type="button"
              onClick={() => {
                const s = svg();
                if (s) save(new Blob([svgText(s)], { type: 'image/svg+xml' }), `${props.id}.svg`);
              }}
            >
              SVG
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                const s = svg();
                if (s) downloadPng(s, props.id);
              }}
            >
              PNG
            </button>
          </span>
        )}
      </figcaption>
      {!props.empty && (props.n || props.study) && (
        <p class="muted figure-n" data-n>
          {props.n && <>n = {props.n}</>}
          {props.n && props.study && ' · '}
          {props.study && <>the study: {props.study}</>}
        </p>
      )}
      {!props.empty && props.repos !== undefined && props.repos < SMALL_N && (
        <p class="muted figure-n" data-small-n>
          Small n: {props.repos} {props.repos === 1 ? 'repo' : 'repos'} (the study counted {STUDY_N.repos}):
          each repo moves this figure a lot.
        </p>
      )}
      {props.empty ? (
        <p class="muted" data-empty>
          {props.empty}
        </p>
      ) : (
        <div ref={ref} />
      )}
    </figure>
  );
}
