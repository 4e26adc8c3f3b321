/** Time series drawn with uPlot, with the same numbers in a table for screen readers. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#4f46e5', '#059669', '#dc2626', '#d97706', '#0891b2', '#7c3aed'];

/** A line chart of several series over shared x values (seconds since the epoch). */
export function TimeChart({ title, x, series, height = 220 }: { title: string; x: number[]; series: { label: string; values: number[] }[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || x.length === 0) return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#a1a1aa' : '#52525b', grid: { stroke: dark ? '#27272a' : '#e4e4e7' } };
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: x.length < 40 } }))],
        axes: [axis, axis],
        legend: { show: true },
      },
      [x, ...series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, height]);
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: a chart; the numbers are in the table below it`} />
      <details className="mt-1 overflow-x-auto text-xs">
        <summary className="cursor-pointer text-zinc-500">{title}: the numbers</summary>
        <table className="mt-1">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-3 text-left">Time</th>
              {series.map((s) => (
                <th key={s.label} scope="col" className="pr-3 text-left">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {x.map((t, i) => (
              <tr key={t}>
                <td className="pr-3">{new Date(t * 1000).toLocaleString()}</td>
                {series.map((s) => (
                  <td key={s.label} className="pr-3">{s.values[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
