/**
 * Charts for docs/benchmarks.md: each section's Vega-Lite specs rendered to SVG in Node (vega's headless view; no
 * canvas, no browser, nothing fetched), so the page's pictures are regenerated with its numbers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { Plot, Section } from './lib/types.js';

/** The same look for every chart, readable on GitHub's light and dark pages alike (a white background of its own). */
const CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 13, anchor: 'start', subtitleFontSize: 11 },
  axis: { labelFontSize: 11, titleFontSize: 11 },
  axisX: { labelAngle: 0 },
  // No canvas measures text here, so label widths are estimated: no limit rather than labels cut short.
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', labelLimit: 0 },
};

export function plotFile(plot: Plot): string {
  return plot.file.endsWith('.svg') ? plot.file : `${plot.file}.svg`;
}

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = vegaLite.compile({ ...spec, config: { ...CONFIG, ...(spec.config as object | undefined) } } as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders every section's plots into `directory`; the files written. */
export async function renderPlots(sections: Section[], directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const section of sections) {
    for (const plot of section.plots) {
      const path = join(directory, plotFile(plot));
      await writeFile(path, `${await renderSvg(plot.spec)}\n`);
      written.push(path);
    }
  }
  return written;
}
