/**
 * Counts per group (severity, playbook) as horizontal bars: each group's name above its bar and the number at the
 * bar's end, so the chart reads without a legend and long names never crowd an axis on a phone.
 */
import { ChartFrame, ChartSvg, type DataTable } from './chart-frame.js';

export interface BarItem {
  label: string;
  value: number;
}

const ROW = 44;
const BAR = 16;

export function BarList({ id, title, summary, items, table }: { id: string; title: string; summary: string; items: BarItem[]; table: DataTable }) {
  const max = Math.max(1, ...items.map((item) => item.value));
  const height = items.length * ROW + 4;
  return (
    <ChartFrame id={id} title={title} table={table}>
      {(width) => {
        // Room at the bar's end for its number.
        const room = width - 48;
        return (
          <ChartSvg width={width} height={height} summary={summary}>
            {items.map((item, index) => {
              const top = index * ROW;
              const length = Math.max((item.value / max) * room, item.value ? 2 : 0);
              return (
                <g key={item.label}>
                  <text x="0" y={top + 14} class="bar-label">
                    {item.label}
                  </text>
                  <rect class="bar series-a" x="0" y={top + 20} width={length} height={BAR} />
                  <text x={length + 6} y={top + 20 + BAR / 2} dominant-baseline="middle" class="bar-value">
                    {item.value}
                  </text>
                </g>
              );
            })}
          </ChartSvg>
        );
      }}
    </ChartFrame>
  );
}
