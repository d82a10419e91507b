/**
 * Reading a V8 heap snapshot (.heapsnapshot, as DevTools writes it): the bytes its objects hold themselves, summed by
 * kind and constructor (or function) name, and the difference between two snapshots. Enough to tell what grows with
 * the number of cached incidents; retained sizes (dominators) are left to DevTools.
 */
import { readFile } from 'node:fs/promises';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self bytes and object count per `<kind> <name>` (kind: object, closure, array, string, code, hidden, ...). */
export type HeapTally = Map<string, { bytes: number; count: number }>;

export async function tallyHeapSnapshot(path: string): Promise<HeapTally> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const [kinds] = raw.snapshot.meta.node_types;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const tally: HeapTally = new Map();
  for (let i = 0; i < raw.nodes.length; i += fields.length) {
    const kind = kinds[raw.nodes[i + typeAt]!]!;
    // Strings and numbers are named by their content: one line per kind is what matters there.
    const name = kind === 'string' || kind === 'concatenated string' || kind === 'sliced string' || kind === 'number' ? '' : raw.strings[raw.nodes[i + nameAt]!]!.slice(0, 80);
    const key = `${kind} ${name}`.trim();
    const entry = tally.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += raw.nodes[i + sizeAt]!;
    entry.count++;
    tally.set(key, entry);
  }
  return tally;
}

/** What `after` holds beyond `before`, per key, largest first. */
export function heapGrowth(before: HeapTally, after: HeapTally): { key: string; bytes: number; count: number }[] {
  return [...after]
    .map(([key, { bytes, count }]) => ({ key, bytes: bytes - (before.get(key)?.bytes ?? 0), count: count - (before.get(key)?.count ?? 0) }))
    .sort((a, b) => b.bytes - a.bytes);
}
