// Hand-written SVG charts: bars over time, a line, and a donut. They draw with
// theme colours (CSS classes), so light and dark both read well.
import type { ReactNode } from 'react';

const W = 640;

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const n = v / p;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * p;
}

export interface BarDatum {
  readonly label: string;
  /** One value per series, stacked in order. */
  readonly values: readonly number[];
  readonly title?: string;
}

export function BarChart({ data, height = 220, format, seriesClasses, label }: {
  readonly data: readonly BarDatum[]; readonly height?: number; readonly format: (v: number) => string; readonly seriesClasses: readonly string[]; readonly label: string;
}) {
  const pad = { l: 56, r: 8, t: 10, b: 26 };
  const max = niceMax(Math.max(0, ...data.map((d) => d.values.reduce((a, b) => a + b, 0))));
  const innerW = W - pad.l - pad.r;
  const innerH = height - pad.t - pad.b;
  const slot = innerW / Math.max(1, data.length);
  const barW = Math.max(2, Math.min(28, slot * 0.68));
  const every = Math.ceil(data.length / 10);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={label}>
      <g className="grid">{ticks.map((t) => <line key={t} x1={pad.l} x2={W - pad.r} y1={pad.t + innerH - (t / max) * innerH} y2={pad.t + innerH - (t / max) * innerH} />)}</g>
      {ticks.map((t) => <text key={t} x={pad.l - 8} y={pad.t + innerH - (t / max) * innerH + 4} textAnchor="end">{format(t)}</text>)}
      {data.map((d, i) => {
        let y = pad.t + innerH;
        const x = pad.l + i * slot + (slot - barW) / 2;
        return (
          <g key={i}>
            <title>{d.title ?? `${d.label}: ${d.values.map(format).join(' / ')}`}</title>
            {d.values.map((v, s) => {
              const h = (v / max) * innerH;
              y -= h;
              return v > 0 ? <rect key={s} className={`bar ${seriesClasses[s] ?? 'f1'}`} x={x} y={y} width={barW} height={Math.max(h, 1)} rx={Math.min(3, barW / 3)} /> : null;
            })}
            {i % every === 0 && <text x={x + barW / 2} y={height - 8} textAnchor="middle">{d.label}</text>}
          </g>
        );
      })}
      <g className="axis"><line x1={pad.l} x2={W - pad.r} y1={pad.t + innerH} y2={pad.t + innerH} /></g>
    </svg>
  );
}

export interface LinePoint {
  readonly label: string;
  readonly value: number | null;
}

export function LineChart({ series, height = 200, format, yMax, label }: {
  readonly series: readonly { readonly points: readonly LinePoint[]; readonly cls: string; readonly area?: string }[];
  readonly height?: number; readonly format: (v: number) => string; readonly yMax?: number; readonly label: string;
}) {
  const pad = { l: 56, r: 10, t: 10, b: 26 };
  const all = series.flatMap((s) => s.points.map((p) => p.value ?? 0));
  const max = yMax ?? niceMax(Math.max(0, ...all));
  const n = Math.max(1, (series[0]?.points.length ?? 1) - 1);
  const innerW = W - pad.l - pad.r;
  const innerH = height - pad.t - pad.b;
  const x = (i: number) => pad.l + (i / n) * innerW;
  const y = (v: number) => pad.t + innerH - (v / max) * innerH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const labels = series[0]?.points ?? [];
  const every = Math.ceil(labels.length / 10);
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={label}>
      <g className="grid">{ticks.map((t) => <line key={t} x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} />)}</g>
      {ticks.map((t) => <text key={t} x={pad.l - 8} y={y(t) + 4} textAnchor="end">{format(t)}</text>)}
      {series.map((s, si) => {
        // Gaps (days without data) break the line rather than pretend a zero.
        const segments: { i: number; v: number }[][] = [];
        let cur: { i: number; v: number }[] = [];
        s.points.forEach((p, i) => {
          if (p.value === null) {
            if (cur.length) segments.push(cur);
            cur = [];
          } else cur.push({ i, v: Math.min(p.value, max) });
        });
        if (cur.length) segments.push(cur);
        return (
          <g key={si}>
            {segments.map((seg, k) => {
              const d = seg.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
              const area = `${d} L${x(seg[seg.length - 1]!.i).toFixed(1)},${y(0)} L${x(seg[0]!.i).toFixed(1)},${y(0)} Z`;
              return (
                <g key={k}>
                  {s.area && seg.length > 1 && <path className={s.area} d={area} />}
                  <path className={`line ${s.cls}`} d={d} />
                  {seg.map((p) => <circle key={p.i} className={s.cls.replace('s', 'f')} cx={x(p.i)} cy={y(p.v)} r={seg.length === 1 ? 3.5 : 2.4}><title>{`${labels[p.i]?.label}: ${format(p.v)}`}</title></circle>)}
                </g>
              );
            })}
          </g>
        );
      })}
      {labels.map((p, i) => (i % every === 0 ? <text key={i} x={x(i)} y={height - 8} textAnchor="middle">{p.label}</text> : null))}
      <g className="axis"><line x1={pad.l} x2={W - pad.r} y1={y(0)} y2={y(0)} /></g>
    </svg>
  );
}

export function Donut({ parts, center, sub, label }: {
  readonly parts: readonly { readonly value: number; readonly cls: string; readonly label: string }[]; readonly center: ReactNode; readonly sub: string; readonly label: string;
}) {
  const total = parts.reduce((a, p) => a + p.value, 0);
  const r = 56;
  const c = 2 * Math.PI * r;
  let offset = 0;
  return (
    <svg className="chart" viewBox="0 0 160 160" role="img" aria-label={label} style={{ maxWidth: 180 }}>
      <circle className="track" cx="80" cy="80" r={r} strokeWidth="18" />
      {total > 0 && parts.map((p, i) => {
        const len = (p.value / total) * c;
        const el = <circle key={i} cx="80" cy="80" r={r} fill="none" className={p.cls} strokeWidth="18" strokeDasharray={`${len} ${c - len}`} strokeDashoffset={-offset} transform="rotate(-90 80 80)"><title>{`${p.label}: ${p.value}`}</title></circle>;
        offset += len;
        return el;
      })}
      <text className="center-big" x="80" y="82" textAnchor="middle">{center}</text>
      <text className="center-small" x="80" y="100" textAnchor="middle">{sub}</text>
    </svg>
  );
}
