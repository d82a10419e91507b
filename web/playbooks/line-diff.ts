/**
 * A line diff of two texts by their longest common subsequence: which lines were removed from the old text, which
 * added in the new, which stayed. The common head and tail are set aside first, so an edit of a few lines in a long
 * playbook compares only the lines between them.
 */

export type DiffLine =
  | { kind: 'same'; text: string; oldLine: number; newLine: number }
  | { kind: 'removed'; text: string; oldLine: number }
  | { kind: 'added'; text: string; newLine: number };

/** Past this many cells (lines × lines of the changed middle) the table would take too much memory for a page. */
const MAX_CELLS = 16_000_000;

const linesOf = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
};

export function diffLines(oldText: string, newText: string): DiffLine[] {
  const a = linesOf(oldText);
  const b = linesOf(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (from: number, to: number, shift: number): DiffLine[] =>
    a.slice(from, to).map((text, i) => ({ kind: 'same', text, oldLine: from + i + 1, newLine: from + i + 1 + shift }));
  const shift = b.length - a.length;
  return [...same(0, head, 0), ...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail), head), ...same(a.length - tail, a.length, shift)];
}

/** The changed middle; `offset` lines came before it in both texts. */
function middle(a: string[], b: string[], offset: number): DiffLine[] {
  const removed = (i: number): DiffLine => ({ kind: 'removed', text: a[i]!, oldLine: offset + i + 1 });
  const added = (j: number): DiffLine => ({ kind: 'added', text: b[j]!, newLine: offset + j + 1 });
  if (a.length * b.length > MAX_CELLS) return [...a.map((_, i) => removed(i)), ...b.map((_, j) => added(j))];
  const width = b.length + 1;
  // lcs[i * width + j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]!, oldLine: offset + i + 1, newLine: offset + j + 1 });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) out.push(removed(i++));
    else out.push(added(j++));
  }
  while (i < a.length) out.push(removed(i++));
  while (j < b.length) out.push(added(j++));
  return out;
}

/** The diff with long unchanged stretches folded to `context` lines either side of a change. */
export type DiffRow = DiffLine | { kind: 'skipped'; count: number };

export function foldUnchanged(lines: DiffLine[], context = 3): DiffRow[] {
  const near = lines.map(() => false);
  lines.forEach((line, index) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) near[k] = true;
  });
  const rows: DiffRow[] = [];
  let folded: DiffLine[] = [];
  // A single unchanged line takes no more room than the note that would replace it: shown as it is.
  const flush = () => {
    if (folded.length === 1) rows.push(folded[0]!);
    else if (folded.length > 1) rows.push({ kind: 'skipped', count: folded.length });
    folded = [];
  };
  lines.forEach((line, index) => {
    if (line.kind === 'same' && !near[index]) {
      folded.push(line);
      return;
    }
    flush();
    rows.push(line);
  });
  flush();
  return rows;
}
