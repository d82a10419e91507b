/**
 * What every chart has around its picture: a heading, the picture as one image with a summary for screen readers, a
 * legend in words, and the same numbers as a table. The table is always in the page (visually hidden), so screen
 * readers and keyboard users get every value; "Show as table" shows it to everyone.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useWidth } from './use-width.js';

export interface DataTable {
  columns: string[];
  /** The first cell of each row names it (a row header). */
  rows: Array<Array<string | number>>;
}

export interface LegendItem {
  label: string;
  /** A class of styles.css drawing the series' swatch (its colour and pattern or line style). */
  swatch: string;
}

export interface ChartFrameProps {
  id: string;
  title: string;
  legend?: LegendItem[];
  table: DataTable;
  /** Draws the picture at the frame's width. */
  children: (width: number) => ComponentChildren;
}

export function ChartFrame({ id, title, legend, table, children }: ChartFrameProps) {
  const [showTable, setShowTable] = useState(false);
  const [box, width] = useWidth<HTMLDivElement>();
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {legend ? (
        <ul class="legend">
          {legend.map((item) => (
            <li key={item.label}>
              <span class={`swatch ${item.swatch}`} aria-hidden="true" />
              {item.label}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="chart-box" ref={box}>
        {children(width)}
      </div>
      <button
        type="button"
        class="secondary small"
        // The chart's title makes each of these buttons' names unique on the page, and keeps the visible words first.
        aria-label={`${showTable ? 'Hide table' : 'Show as table'}: ${title}`}
        aria-expanded={showTable}
        aria-controls={`${id}-table`}
        onClick={() => setShowTable(!showTable)}
      >
        {showTable ? 'Hide table' : 'Show as table'}
      </button>
      <div id={`${id}-table`} class={showTable ? 'chart-table' : 'chart-table visually-hidden'}>
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              {table.columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map(([head, ...cells]) => (
              <tr key={String(head)}>
                <th scope="row">{head}</th>
                {cells.map((cell, index) => (
                  <td key={index}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/**
 * The picture's root: one image named by its summary, one or two sentences saying what it shows (its parts are not
 * read one by one; the table has the values).
 */
export function ChartSvg({ width, height, summary, children }: { width: number; height: number; summary: string; children: ComponentChildren }) {
  return (
    <svg role="img" aria-label={summary} width={width} height={height} viewBox={`0 0 ${width} ${height}`} class="chart-svg">
      <title>{summary}</title>
      {children}
    </svg>
  );
}
