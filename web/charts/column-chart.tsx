/**
 * Counts per day as columns, one column per series side by side (reported and resolved): each series has its own
 * colour and fill pattern (solid, hatched), so they differ without colour too.
 */
import { CHART_HEIGHT, DateAxis, plotIn, ValueAxis, yOf } from './axes.js';
import { ChartFrame, ChartSvg, type DataTable, type LegendItem } from './chart-frame.js';
import { countStep, shortDate, ticksTo } from './scale.js';

export interface CountSeries {
  label: string;
  values: number[];
  /** The class drawing its columns and legend swatch (styles.css: `series-a`, `series-b`). */
  className: string;
  hatched?: boolean;
}

export function ColumnChart({ id, title, summary, dates, series }: { id: string; title: string; summary: string; dates: string[]; series: CountSeries[] }) {
  const max = Math.max(1, ...series.flatMap((one) => one.values));
  const ticks = ticksTo(max, countStep(max));
  const top = ticks[ticks.length - 1]!;
  const legend: LegendItem[] = series.map((one) => ({ label: one.label, swatch: `${one.className}${one.hatched ? ' hatched' : ''}` }));
  const table: DataTable = {
    columns: ['Day', ...series.map((one) => one.label)],
    rows: dates.map((date, index) => [shortDate(date), ...series.map((one) => one.values[index] ?? 0)]),
  };
  return (
    <ChartFrame id={id} title={title} legend={legend} table={table}>
      {(width) => {
        const plot = plotIn(width, 36);
        const slot = plot.width / Math.max(dates.length, 1);
        const gap = slot > 6 ? Math.min(slot * 0.2, 8) : 0;
        const barWidth = Math.max((slot - gap) / series.length, 0.5);
        return (
          <ChartSvg width={width} height={CHART_HEIGHT} summary={summary}>
            <defs>
              <pattern id={`${id}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" class="hatch-ground" />
                <rect width="3" height="6" class="hatch-stripe" />
              </pattern>
            </defs>
            <ValueAxis plot={plot} ticks={ticks} format={String} />
            {series.map((one, seriesIndex) =>
              one.values.map((value, index) => {
                if (!value) return null;
                const y = yOf(plot, value, top);
                return (
                  <rect
                    key={`${seriesIndex}-${index}`}
                    class={`bar ${one.className}`}
                    x={plot.left + index * slot + gap / 2 + seriesIndex * barWidth}
                    y={y}
                    width={barWidth}
                    height={plot.top + plot.height - y}
                    {...(one.hatched ? { fill: `url(#${id}-hatch)` } : {})}
                  />
                );
              }),
            )}
            <DateAxis plot={plot} dates={dates} xOf={(index) => plot.left + (index + 0.5) * slot} />
          </ChartSvg>
        );
      }}
    </ChartFrame>
  );
}
