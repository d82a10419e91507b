/**
 * CPU seconds of each of a process's threads, from /proc: what the worker's main thread, its workflow thread, the SDK
 * core's Tokio threads and V8's helpers each spent on a launch (no --cpu-prof profile shows the threads outside V8).
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds by thread name (threads of one name summed): the worker's main JS thread ("node"), its workflow thread,
 * the SDK core's Tokio threads, V8's GC helpers, libuv's pool. What no --cpu-prof profile shows, it shows.
 */
export function cpuSecondsByThread(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[-_ ]?\d+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // The main thread is named after the process; tell it apart from the worker threads Node also names "node".
      const key = tid === String(pid) ? `${name} (main)` : name;
      threads.set(key, (threads.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // A thread that ended while we looked.
    }
  }
  return threads;
}

export function threadGrowth(before: Map<string, number>, after: Map<string, number>, launches: number): Record<string, number> {
  return Object.fromEntries(
    [...after.entries()]
      .map(([name, seconds]) => [name, (seconds - (before.get(name) ?? 0)) / launches] as const)
      .filter(([, perLaunch]) => perLaunch > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([name, perLaunch]) => [name, Number(perLaunch.toFixed(4))]),
  );
}
