/**
 * Durations per day as lines (MTTA and MTTR): a day without a value breaks the line rather than dropping to zero, and
 * every value has a marker, so a lone day still shows. The series differ by line style and marker shape, not colour
 * alone.
 */
import { formatDuration, durationStep } from '../durations.js';
import { CHART_HEIGHT, DateAxis, plotIn, ValueAxis, yOf, type Plot } from './axes.js';
import { ChartFrame, ChartSvg, type DataTable } from './chart-frame.js';
import { shortDate, ticksTo } from './scale.js';

export interface DurationSeries {
  label: string;
  /** Milliseconds per day; null where no incident had the time. */
  values: Array<number | null>;
  /** The class drawing its line and legend swatch (styles.css), and its marker's shape. */
  className: string;
  marker: 'circle' | 'square';
}

/** The path through the days that have a value, lifting the pen over days that have none. */
function pathOf(values: Array<number | null>, x: (index: number) => number, y: (value: number) => number): string {
  let path = '';
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${x(index).toFixed(1)},${y(value).toFixed(1)}`;
    drawing = true;
  });
  return path;
}

function Marker({ shape, x, y }: { shape: DurationSeries['marker']; x: number; y: number }) {
  return shape === 'circle' ? <circle cx={x} cy={y} r="3.5" /> : <rect x={x - 3.5} y={y - 3.5} width="7" height="7" />;
}

function Line({ one, plot, max, xOf }: { one: DurationSeries; plot: Plot; max: number; xOf: (index: number) => number }) {
  const y = (value: number) => yOf(plot, value, max);
  return (
    <g class={`line ${one.className}`}>
      <path d={pathOf(one.values, xOf, y)} />
      {one.values.map((value, index) => (value === null ? null : <Marker key={index} shape={one.marker} x={xOf(index)} y={y(value)} />))}
    </g>
  );
}

export function LineChart({ id, title, summary, dates, series }: { id: string; title: string; summary: string; dates: string[]; series: DurationSeries[] }) {
  const max = Math.max(1000, ...series.flatMap((one) => one.values.filter((value): value is number => value !== null)));
  const ticks = ticksTo(max, durationStep(max));
  const top = ticks[ticks.length - 1]!;
  const table: DataTable = {
    columns: ['Day', ...series.map((one) => one.label)],
    rows: dates.map((date, index) => [shortDate(date), ...series.map((one) => formatDuration(one.values[index] ?? null))]),
  };
  const legend = series.map((one) => ({ label: one.label, swatch: `${one.className} ${one.marker}` }));
  return (
    <ChartFrame id={id} title={title} legend={legend} table={table}>
      {(width) => {
        const plot = plotIn(width, 64);
        const slot = plot.width / Math.max(dates.length, 1);
        const xOf = (index: number) => plot.left + (index + 0.5) * slot;
        return (
          <ChartSvg width={width} height={CHART_HEIGHT} summary={summary}>
            <ValueAxis plot={plot} ticks={ticks} format={formatDuration} />
            {series.map((one) => (
              <Line key={one.label} one={one} plot={plot} max={top} xOf={xOf} />
            ))}
            <DateAxis plot={plot} dates={dates} xOf={xOf} />
          </ChartSvg>
        );
      }}
    </ChartFrame>
  );
}
