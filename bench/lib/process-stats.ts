/**
 * What a process costs, read from /proc so that each figure belongs to one process: the worker's CPU and memory are
 * its own, the Temporal server's its own, never the benchmark's. Linux only; elsewhere the figures are n/a.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Machine } from './types.js';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. 100 on every Linux this runs on (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far, user + system (utime and stime: fields 14 and 15 of the line, 12 and 13 after the name). */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : undefined;
}

/**
 * CPU seconds its threads used so far, to the nanosecond (the first field of each /proc/<pid>/task/<tid>/schedstat):
 * precise enough for one launch, where cpuSeconds counts in 10 ms ticks. Threads that ended are not counted (a
 * percent or so of the worker's CPU, measured against cpuSeconds over a run), so a window's total stays cpuSeconds's.
 */
export function threadCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let nanoseconds = 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended while we looked.
    }
  }
  return nanoseconds / 1e9;
}

/** Resident memory now (VmRSS) and at its highest (VmHWM), in bytes. */
export function memoryOf(pid: number | undefined): { rssBytes: number; peakRssBytes: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The child of `parent` whose command line contains `needle` (the Temporal dev server: `temporal server start-dev`). */
export function childProcessPid(parent: number, needle: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const fields = statFields(Number(entry));
    if (!fields || Number(fields[1]) !== parent) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
    } catch {
      // It ended while we looked.
    }
  }
  return undefined;
}

/** CPU used by several processes over one stretch of time, as seconds and as a share of one core. */
export class CpuWindow {
  private readonly startedAt = performance.now();
  private readonly before: Map<string, number | undefined>;

  constructor(private readonly pids: Record<string, number | undefined>) {
    this.before = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  /** Per process: CPU seconds in the window and the share of one core (0.05 = 5 % of a core); null where unknown. */
  end(): { seconds: number; processes: Record<string, { cpuSeconds: number | null; coreShare: number | null }> } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const processes: Record<string, { cpuSeconds: number | null; coreShare: number | null }> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const before = this.before.get(name);
      const after = cpuSeconds(pid);
      const used = before === undefined || after === undefined ? null : after - before;
      processes[name] = { cpuSeconds: used, coreShare: used === null ? null : used / seconds };
    }
    return { seconds, processes };
  }
}

export function machine(): Machine {
  return {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)),
    load: loadavg().map((l) => Number(l.toFixed(2))),
  };
}
