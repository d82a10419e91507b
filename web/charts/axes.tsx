/** The axes of the charts over time: value lines with their labels on the left, day labels along the bottom. */
import { labelEvery, shortDate } from './scale.js';

export const CHART_HEIGHT = 220;
const TOP = 10;
const BOTTOM = 26;
const RIGHT = 8;

/** Where the plot sits in a chart of `width` px whose value labels take `left` px. */
export interface Plot {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function plotIn(width: number, left: number): Plot {
  return { left, top: TOP, width: Math.max(width - left - RIGHT, 10), height: CHART_HEIGHT - TOP - BOTTOM };
}

/** The y position of `value` on a scale from 0 to `max`. */
export const yOf = (plot: Plot, value: number, max: number) => plot.top + plot.height - (value / max) * plot.height;

export function ValueAxis({ plot, ticks, format }: { plot: Plot; ticks: number[]; format: (value: number) => string }) {
  const max = ticks[ticks.length - 1]!;
  return (
    <g class="axis">
      {ticks.map((tick) => {
        const y = yOf(plot, tick, max);
        return (
          <g key={tick}>
            <line x1={plot.left} x2={plot.left + plot.width} y1={y} y2={y} class={tick === 0 ? 'baseline' : 'gridline'} />
            <text x={plot.left - 6} y={y} text-anchor="end" dominant-baseline="middle">
              {format(tick)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Day labels under the plot: as many as fit without overlapping, always the first. `xOf` gives a day's centre. */
export function DateAxis({ plot, dates, xOf }: { plot: Plot; dates: string[]; xOf: (index: number) => number }) {
  const every = labelEvery(dates.length, plot.width);
  return (
    <g class="axis">
      {dates.map((date, index) =>
        index % every === 0 ? (
          <text key={date} x={xOf(index)} y={plot.top + plot.height + 18} text-anchor="middle">
            {shortDate(date)}
          </text>
        ) : null,
      )}
    </g>
  );
}
