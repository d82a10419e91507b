/**
 * Where a Node process's CPU went, from `perf record -g` data: every thread, not only the JavaScript ones a V8
 * .cpuprofile sees, and CPU time rather than the wall time a .cpuprofile charges to a blocking call. Used by
 * scripts/profile-launch.ts (PERF_WORKER=on, which also starts the worker with --perf-basic-prof-only-functions so
 * JavaScript frames are named); also on its own:
 *
 *   node --perf-basic-prof-only-functions app.js & perf record -F 999 -g -p $! -o node.perf.data
 *   npx tsx scripts/profile/perf-node.ts node.perf.data <pid>
 *
 * Reports the share of each thread's role (the main thread, other JavaScript threads such as Temporal's workflow
 * thread, V8's background threads for GC and the optimising compiler, the Temporal SDK core's Rust threads) and,
 * within each, of each area (JavaScript, V8's interpreter and inline caches, GC, the compiler, the SDK core, libc,
 * the kernel), with the hottest native functions. JavaScript function names from the perf map can be stale (V8 moves
 * code), so JavaScript is reported as one area.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface PerfShare {
  name: string;
  share: number;
}

export interface NodePerfSummary {
  samples: number;
  byRole: PerfShare[];
  byRoleAndArea: PerfShare[];
  topNative: PerfShare[];
  text: string;
}

interface Frame {
  symbol: string;
  dso: string;
}

/** What a thread does, from its name and what is on its stack. */
function roleOf(comm: string, tid: number, pid: number, frames: Frame[]): string {
  if (frames.some((frame) => /PlatformWorkerThread|DefaultJobWorker|WorkerThreadsTaskRunner/.test(frame.symbol))) return 'V8 background threads';
  if (tid === pid) return 'main thread';
  if (comm.startsWith('tokio')) return 'SDK core (Rust, tokio)';
  if (comm.startsWith('workflow-proces')) return 'SDK core (workflow processing)';
  if (comm.startsWith('libuv')) return 'libuv pool';
  return 'other JavaScript threads (workflow thread)';
}

/** What kind of work a leaf frame is. */
export function areaOf(frame: Frame): string {
  const { symbol, dso } = frame;
  if (dso.includes('perf-') && dso.endsWith('.map')) return 'JavaScript (JIT code)';
  if (dso.includes('kernel')) return 'kernel';
  if (dso.endsWith('index.node')) return 'SDK core (Rust)';
  if (dso.includes('better_sqlite3')) return 'SQLite';
  if (/libc\.so|libstdc\+\+|ld-linux|libm\.so|libpthread/.test(dso)) return /malloc|free|memmove|memcpy|memset|memcmp|strlen/.test(symbol) ? 'libc (memory)' : 'libc (other)';
  if (/Scavenge|MarkCompact|Heap::|GCTracer|Sweeper|ConcurrentMarking|MarkingVisitor|EvacuateVisitor|IncrementalMarking|Evacuat|MinorMark|MemoryAllocator|PagedSpace|RememberedSet|SlotSet/.test(symbol)) return 'V8 GC';
  if (/compiler::|Compiler::|Compile|Maglev|maglev|Turbofan|turboshaft|BytecodeGenerator|Parser::|Scanner::|baseline::/.test(symbol)) return 'V8 compilers and parser';
  if (/^Builtins_/.test(symbol)) return /IC|Baseline|Interpreter|Bytecode/.test(symbol) ? 'V8 interpreter, baseline code and inline caches' : 'V8 builtins';
  if (/^(v8::|node::|uv_|uv__)/.test(symbol)) return symbol.startsWith('v8::') ? 'V8 runtime' : 'Node and libuv';
  return dso.split('/').pop() ?? dso;
}

function ranked(map: Map<string, number>, total: number, top: number): PerfShare[] {
  return [...map.entries()]
    .map(([name, count]) => ({ name, share: count / Math.max(total, 1) }))
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
}

export function summarizeNodePerf(dataFile: string, pid: number, top = 25): NodePerfSummary {
  const script = spawnSync('perf', ['script', '-i', dataFile, '-F', 'comm,tid,ip,sym,dso'], { maxBuffer: 1024 * 1024 * 1024 });
  if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr?.toString()}`);
  const byRole = new Map<string, number>();
  const byRoleAndArea = new Map<string, number>();
  const topNative = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let samples = 0;
  for (const block of script.stdout.toString().split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((line) => line.trim());
    const header = /^\s*(\S.*?)\s+(\d+)\s*$/.exec(lines[0] ?? '');
    if (!header) continue;
    const frames = lines.slice(1).flatMap((line) => {
      const match = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/.exec(line);
      return match ? [{ symbol: match[1]!, dso: match[2]! }] : [];
    });
    if (frames.length === 0) continue;
    samples++;
    const role = roleOf(header[1]!, Number(header[2]), pid, frames);
    const leaf = frames[0]!;
    const area = areaOf(leaf);
    add(byRole, role);
    add(byRoleAndArea, `${role}: ${area}`);
    if (area !== 'JavaScript (JIT code)') add(topNative, `${role}: ${leaf.symbol.replace(/\(.*$/, '').slice(0, 120)}`);
  }
  const summary = {
    samples,
    byRole: ranked(byRole, samples, top),
    byRoleAndArea: ranked(byRoleAndArea, samples, top * 2),
    topNative: ranked(topNative, samples, top * 2),
  };
  const line = (entry: PerfShare) => `  ${(100 * entry.share).toFixed(1).padStart(5)} %  ${entry.name}`;
  const text = [
    `${samples} samples`,
    'by thread role:',
    ...summary.byRole.map(line),
    'by thread role and area (self time):',
    ...summary.byRoleAndArea.map(line),
    'hottest native functions (self time):',
    ...summary.topNative.map(line),
  ].join('\n');
  return { ...summary, text };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dataFile, pid] = process.argv.slice(2);
  if (!dataFile || !pid) {
    console.error('usage: npx tsx scripts/profile/perf-node.ts <perf.data> <pid of the profiled process>');
    process.exit(2);
  }
  console.log(summarizeNodePerf(dataFile, Number(pid)).text);
}
