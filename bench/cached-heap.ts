/**
 * What one cached incident is made of (issue 16): opens FIRST incidents on a benchmark worker (the minimal playbook,
 * as bench/capacity.ts), takes a heap snapshot of the SDK's workflow thread, opens MORE, takes another, and prints
 * the growth per incident by kind and constructor (self bytes). The snapshots stay in OUT for Chrome DevTools.
 *
 *   npx tsx bench/cached-heap.ts                      # 20, then 80 more (~1 min)
 *   FIRST=50 MORE=150 OUT=/tmp/heap npx tsx bench/cached-heap.ts
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quiet } from './capacity.js';
import { fmt } from './lib/figures.js';
import { heapGrowth, tallyHeapSnapshot } from './lib/heap-snapshot.js';
import { minimalPlaybook, openIncidents } from './lib/incidents.js';
import { bundleWorkflows, MEMBERSHIP_LOOK_WITH_EVENTS_MS, NO_LATENCY, startStack } from './lib/stack.js';

const FIRST = Number(process.env.FIRST ?? 20);
const MORE = Number(process.env.MORE ?? 80);
const OUT = process.env.OUT ?? (await mkdtemp(join(tmpdir(), 'cached-heap-')));

const bundle = await bundleWorkflows();
const stack = await startStack(bundle);
try {
  const taskQueue = 'bench-cached-heap';
  const worker = await stack.startWorker({ taskQueue, maxCachedWorkflows: FIRST + MORE + 10 });
  const incidents = stack.incidents(taskQueue, { membershipCheckIntervalMs: MEMBERSHIP_LOOK_WITH_EVENTS_MS });
  stack.setLatency(NO_LATENCY);
  const snapshots: string[] = [];
  for (const [count, name] of [[FIRST, 'first'], [MORE, 'more']] as const) {
    await openIncidents(stack.sandboxes, incidents, minimalPlaybook(), count, { prefix: `Heap ${name}` });
    await quiet(stack.sandboxes, 3_000, 60_000);
    const path = join(OUT, `${name}.heapsnapshot`);
    if (!(await worker.snapshot(path))) throw new Error('the worker has no workflow thread to take a snapshot of');
    const status = await worker.status();
    console.log(`${path}: ${status.cachedWorkflows} cached`);
    snapshots.push(path);
  }
  const growth = heapGrowth(await tallyHeapSnapshot(snapshots[0]!), await tallyHeapSnapshot(snapshots[1]!));
  const total = growth.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`\ngrowth per incident: ${fmt(total / MORE / 1024)} KB (self bytes of every object)\n`);
  console.log('KB per incident  objects per incident  kind and name');
  for (const row of growth.slice(0, Number(process.env.TOP ?? 40))) {
    console.log(`${fmt(row.bytes / MORE / 1024).padStart(15)}  ${fmt(row.count / MORE).padStart(20)}  ${row.key}`);
  }
} finally {
  await stack.stop();
  await bundle.dispose();
}
