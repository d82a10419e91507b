/**
 * What a benchmark module gives the runner (bench/run.ts): a function that measures and returns a Section. The runner
 * stores each section as bench/results/<name>.json and builds docs/benchmarks.md and the plots from the stored sections,
 * so running one benchmark (`npm run bench -- launch`) still leaves a page with every benchmark on it.
 */
import type { WorkflowBundle } from './stack.js';

/** smoke: tiny and quick, for CI (results go to a temporary directory); default: a few minutes; full: the long run. */
export type Mode = 'smoke' | 'default' | 'full';

export interface BenchContext {
  mode: Mode;
  /** The workflow code, bundled once per run and shared by every worker process. */
  bundle: WorkflowBundle;
  log(line: string): void;
}

/** One figure held against a goal of issue 16. */
export interface Goal {
  /** What is measured, as the page names it: "command p99, 10 concurrent, 1,000 open". */
  figure: string;
  value: number;
  unit: string;
  /** The goal: the figure must stay at or below this (every goal of issue 16 is an upper bound). */
  target: number;
  /** Where the goal holds only for a size this run did not reach: how the figure was obtained instead. */
  note?: string;
  met: boolean;
}

/** A chart: a Vega-Lite spec with its data inline, rendered to docs/benchmarks/<file>.svg. */
export interface Plot {
  file: string;
  title: string;
  spec: Record<string, unknown>;
}

export interface Machine {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  /** 1, 5 and 15 minute load averages when the benchmark ended: other work on the machine shows here. */
  load: number[];
}

export interface Section {
  /** The file name under bench/results/ and the key in the runner's registry. */
  name: string;
  title: string;
  mode: Mode;
  machine: Machine;
  durationSeconds: number;
  /** Figures with goals, for the page's summary; a missed goal is shown as missed there and in the section. */
  goals: Goal[];
  /** The section of docs/benchmarks.md, from its own heading (###) down: method, tables, notes. */
  markdown: string;
  plots: Plot[];
  /** Everything measured, for whoever reads the JSON. */
  data: unknown;
}

export type Bench = (context: BenchContext) => Promise<Section>;
