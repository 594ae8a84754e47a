// Bar charts in plain SVG (no library): grouped or stacked bars per category, a legend, and a text
// alternative. The table next to each chart carries the exact counts; the chart is for reading at a glance.

interface Series {
  name: string;
  color: string;
  values: number[];
}

const W = 24; // width of one bar
const GAP = 10;
const H = 150;
const AXIS = 46;

export function BarChart(props: {
  title: string;
  categories: string[];
  series: Series[];
  stacked?: boolean;
  /** Values are percentages (0–100): the scale is fixed at 100. */
  percent?: boolean;
}) {
  const { categories, series, stacked } = props;
  const perGroup = stacked ? 1 : Math.max(1, series.length);
  const groupW = perGroup * W + GAP;
  const totals = categories.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const max = props.percent ? 100 : Math.max(1, ...(stacked ? totals : series.flatMap((s) => s.values)));
  const width = Math.max(200, categories.length * groupW + 60);
  const y = (v: number) => (v / max) * H;
  const every = Math.ceil(categories.length / 24); // label every n-th category when there are many
  // Labels wider than their group (months under single bars) are tilted so they do not overlap.
  const tilt = categories.some((c) => c.length * 6 > groupW * every);
  return (
    <figure style={{ margin: '0.5rem 0', overflowX: 'auto' }}>
      <svg
        role="img"
        aria-label={props.title}
        width={width}
        height={H + AXIS + 4}
        viewBox={`0 0 ${width} ${H + AXIS + 4}`}
        style={{ display: 'block', color: 'var(--fg)' }}
      >
        <title>{props.title}</title>
        <line x1={50} y1={H + 2} x2={width} y2={H + 2} stroke="currentColor" stroke-opacity={0.4} />
        <text x={46} y={10} font-size={10} text-anchor="end" fill="currentColor">
          {props.percent ? '100%' : max}
        </text>
        <text x={46} y={H + 2} font-size={10} text-anchor="end" fill="currentColor">
          0
        </text>
        {categories.map((cat, i) => {
          const x0 = 54 + i * groupW;
          let acc = 0;
          return (
            <g key={cat}>
              {series.map((s, j) => {
                const v = s.values[i] ?? 0;
                const h = y(v);
                const x = stacked ? x0 : x0 + j * W;
                const top = stacked ? H + 2 - y(acc) - h : H + 2 - h;
                acc += v;
                return (
                  <rect key={s.name} x={x} y={top} width={W - 2} height={h} fill={s.color}>
                    <title>{`${cat} · ${s.name}: ${props.percent ? `${v.toFixed(1)}%` : v}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text
                  x={x0 + (perGroup * W) / 2}
                  y={H + 14}
                  font-size={10}
                  text-anchor={tilt ? 'end' : 'middle'}
                  transform={tilt ? `rotate(-35 ${x0 + (perGroup * W) / 2} ${H + 14})` : undefined}
                  fill="currentColor"
                >
                  {cat}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ display: 'flex', flexWrap: 'wrap', gap: '0.25rem 0.75rem' }}>
        {series.map((s) => (
          <span key={s.name}>
            <svg aria-hidden="true" width={10} height={10} style={{ marginRight: 4 }}>
              <rect width={10} height={10} fill={s.color} />
            </svg>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Colours for the study's labels, stable across charts. */
export const LABEL_COLORS: Record<string, string> = {
  safetensors: '#16a34a',
  'torch.save': '#dc2626',
  pytorch: '#f97316',
  pickle: '#a855f7',
  joblib: '#db2777',
  dill: '#7c3aed',
  'torch.jit': '#ea580c',
  hdf5: '#0ea5e9',
  numpy: '#14b8a6',
  unknown: '#9ca3af',
};
