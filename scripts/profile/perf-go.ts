/**
 * Where a Go process's CPU went, from `perf record -g` data: the Temporal dev server's binary is stripped of its ELF
 * symbols, which perf needs, but keeps Go's own table (.gopclntab), which `go tool addr2line` reads. Used by
 * scripts/profile-launch.ts (PERF_SERVER=on); also on its own:
 *
 *   perf record -F 499 -g -p <server pid> -o server.perf.data     # while the load runs; Ctrl-C to stop
 *   npx tsx scripts/profile/perf-go.ts server.perf.data $(npm run -s temporal:cli)
 *
 * Reports self time by function and by area (Temporal's services, persistence, SQLite, gRPC, protobuf, Go's GC and
 * allocator, the kernel), and inclusive time of the server's own functions (handlers, persistence calls).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PerfRanked {
  name: string;
  share: number;
}

export interface PerfSummary {
  samples: number;
  byArea: PerfRanked[];
  byRequest: PerfRanked[];
  byFunction: PerfRanked[];
  inclusiveServer: PerfRanked[];
  text: string;
}

/** The area a Go function belongs to, by its package path. */
export function areaOf(fn: string): string {
  const temporal = /^go\.temporal\.io\/server\/(?:(service\/[a-z]+)|(common\/persistence)|(common\/[a-z]+)|([a-z]+))/.exec(fn);
  if (temporal) return `temporal ${temporal[1] ?? temporal[2] ?? temporal[3] ?? temporal[4]}`;
  if (fn.startsWith('go.temporal.io/api')) return 'temporal api (protos)';
  if (fn.startsWith('modernc.org/sqlite') || fn.startsWith('modernc.org/libc')) return 'sqlite (modernc)';
  if (fn.startsWith('google.golang.org/grpc') || fn.startsWith('golang.org/x/net/http2')) return 'grpc / http2';
  if (fn.startsWith('google.golang.org/protobuf') || fn.startsWith('github.com/gogo/protobuf')) return 'protobuf';
  if (/^runtime\.(mallocgc|newobject|makeslice|growslice|memclr|nextFreeFast|heapBitsSetType|mallocgcSmall)/.test(fn)) return 'go allocator';
  if (/^runtime\.(gcBgMarkWorker|gcDrain|scanobject|greyobject|markroot|findObject|scanblock|gcMark|sweepone|bgsweep|wbBuf)/.test(fn)) return 'go GC';
  if (/^runtime\.(schedule|findRunnable|park_m|mcall|futex|notesleep|stealWork|netpoll|runqgrab|usleep|osyield|checkTimers|runtimer)/.test(fn)) return 'go scheduler';
  if (fn.startsWith('runtime.') || fn.startsWith('runtime/')) return 'go runtime (other)';
  if (/^(syscall|internal\/poll|internal\/runtime\/syscall)/.test(fn)) return 'syscalls';
  if (fn.startsWith('[kernel]') || fn === '??') return 'kernel or unknown';
  const module = /^((?:[\w.-]+\.[a-z]+\/[\w.-]+\/[\w.-]+)|(?:[a-z]+(?:\/[a-z]+)?))/.exec(fn);
  return module ? module[1]! : fn;
}

/**
 * Where the binary's first loadable segment (file offset 0) is mapped: perf prints addresses in a binary without
 * symbols relative to the file, and addr2line wants them as the program sees them.
 */
function loadBase(binary: string): bigint {
  const elf = readFileSync(binary);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) throw new Error(`${binary} is not a 64-bit ELF file`);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    // PT_LOAD (1) whose file offset is 0.
    if (elf.readUInt32LE(at) === 1 && elf.readBigUInt64LE(at + 8) === 0n) return elf.readBigUInt64LE(at + 16);
  }
  return 0n;
}

/**
 * What a sample's work was for: the innermost gRPC handler on its stack (frontend, history and matching talk to each
 * other over gRPC inside the dev server too, so each service's share shows), or the history service's background task
 * processing (transfer, timer, visibility queues), or Go's GC.
 */
export function requestOf(frames: string[]): string {
  for (const frame of frames) {
    const handler = /_(WorkflowService|HistoryService|MatchingService|AdminService|OperatorService)_(\w+?)_Handler/.exec(frame);
    if (handler) return `${handler[1]!.replace('Service', '').toLowerCase()} ${handler[2]}`;
    const executor = /service\/history\/(?:queues\.)?.*?\(\*?(\w*(?:TaskExecutor|Executor))\)/.exec(frame);
    if (executor) return `history task: ${executor[1]}`;
    if (frame.startsWith('go.temporal.io/server/service/history/queues')) return 'history task queues (other)';
    if (frame.startsWith('runtime.gcBgMarkWorker')) return 'go GC';
  }
  if (frames.some((frame) => frame.includes('service/matching'))) return 'matching (other)';
  if (frames.some((frame) => frame.includes('persistence'))) return 'persistence (other)';
  return '(other)';
}

/** Function names of these addresses, through go tool addr2line (two lines per address: function, file:line). */
function symbolise(addresses: string[], binary: string): Map<string, string> {
  const base = loadBase(binary);
  const input = addresses.map((address) => `0x${(BigInt(`0x${address}`) + base).toString(16)}`).join('\n');
  const result = spawnSync('go', ['tool', 'addr2line', binary], { input, maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`go tool addr2line failed: ${result.stderr?.toString() ?? result.error}`);
  const lines = result.stdout.toString().split('\n');
  const names = new Map<string, string>();
  addresses.forEach((address, index) => names.set(address, lines[2 * index] ?? '??'));
  return names;
}

function ranked(map: Map<string, number>, total: number, top: number): PerfRanked[] {
  return [...map.entries()]
    .map(([name, count]) => ({ name, share: count / Math.max(total, 1) }))
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
}

export function summarizePerf(dataFile: string, binary: string, top = 25): PerfSummary {
  const script = spawnSync('perf', ['script', '-i', dataFile, '-F', 'ip,dso'], { maxBuffer: 1024 * 1024 * 1024 });
  if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr?.toString()}`);
  // One sample per blank-line-separated block, a frame per line ("<address> (<dso>)"): the leaf first, then its
  // callers. Frames in the kernel (system calls) and the vDSO keep their place but are not the binary's.
  const stacks = script.stdout
    .toString()
    .split(/\n\s*\n/)
    .map((block) =>
      block.split('\n').flatMap((line) => {
        const match = /^\s*([0-9a-f]+)\s+\((.*)\)\s*$/.exec(line);
        if (!match) return [];
        return [match[2] === binary || match[2]!.endsWith('/temporal') ? match[1]! : `[${match[2]!.replace(/^\[|\]$/g, '')}]`];
      }),
    )
    .filter((stack) => stack.length > 0);
  const names = symbolise([...new Set(stacks.flat().filter((frame) => !frame.startsWith('[')))], binary);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byRequest = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const stack of stacks) {
    const frames = stack.map((frame) => (frame.startsWith('[') ? frame : (names.get(frame) ?? '??')));
    const leaf = frames[0]!;
    const caller = frames.find((frame) => !frame.startsWith('['));
    add(byFunction, leaf.startsWith('[') ? `${leaf} under ${caller ?? '?'}` : leaf);
    // GC work runs on its own goroutines; the allocator's work is charged to the allocator whoever called it.
    add(byArea, frames.some((frame) => frame.startsWith('runtime.gcBgMarkWorker')) ? 'go GC' : leaf.startsWith('[') ? 'kernel (system calls)' : areaOf(leaf));
    add(byRequest, requestOf(frames));
    for (const frame of new Set(frames)) if (frame.startsWith('go.temporal.io/server/')) add(inclusive, frame.replace('go.temporal.io/server/', ''));
  }
  const summary = {
    samples: stacks.length,
    byArea: ranked(byArea, stacks.length, top),
    byRequest: ranked(byRequest, stacks.length, top),
    byFunction: ranked(byFunction, stacks.length, top),
    inclusiveServer: ranked(inclusive, stacks.length, top * 2),
  };
  const line = (entry: PerfRanked) => `  ${(100 * entry.share).toFixed(1).padStart(5)} %  ${entry.name}`;
  const text = [
    `${summary.samples} samples`,
    'self time by area:',
    ...summary.byArea.map(line),
    'by the request or background task it served (innermost gRPC handler or task executor on the stack):',
    ...summary.byRequest.map(line),
    'self time by function:',
    ...summary.byFunction.map(line),
    'inclusive time of the server\'s functions:',
    ...summary.inclusiveServer.map(line),
  ].join('\n');
  return { ...summary, text };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dataFile, binary] = process.argv.slice(2);
  if (!dataFile || !binary) {
    console.error('usage: npx tsx scripts/profile/perf-go.ts <perf.data> <go binary>');
    process.exit(2);
  }
  console.log(summarizePerf(dataFile, binary).text);
}
