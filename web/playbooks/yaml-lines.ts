/**
 * Which line of a playbook's YAML a problem's path (`checklists[0].tasks[2].title`) is about. The `yaml` package is not
 * in the browser bundle, so this reads only the block style that export writes and people mostly keep: `key: value`
 * mappings and `- ` sequence items, nested by indentation. Where the text is in another style (flow `[a, b]`, JSON),
 * the deepest part of the path it does find is named instead, and a path it cannot place at all gets no line.
 */

/** A path's parts: ['checklists', 0, 'tasks', 2, 'title']. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const part of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g)) {
    if (part[1] !== undefined) segments.push(Number(part[1]));
    else if (part[2] !== undefined) segments.push(JSON.parse(`"${part[2]}"`) as string);
    else if (part[3] !== undefined) segments.push(part[3]);
  }
  return segments;
}

/** A sequence item (`- `) or a mapping key at its column, and what it holds (by indentation). */
interface YamlNode {
  kind: 'item' | 'key';
  key?: string;
  column: number;
  /** 1-based. */
  line: number;
  /** A key with nothing after the colon: what follows on deeper lines is its value. */
  opensBlock: boolean;
  children: YamlNode[];
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#"'{[\-?:][^#]*?|-[^\s#][^#]*?)\s*:(?:\s+|$)/;
const BLOCK_SCALAR = /^[|>][-+0-9]*\s*(#.*)?$/;

function unquote(key: string): string {
  if (key.startsWith('"')) {
    try {
      return JSON.parse(key) as string;
    } catch {
      return key.slice(1, -1);
    }
  }
  return key.startsWith("'") ? key.slice(1, -1).replace(/''/g, "'") : key;
}

/** The nodes each line starts: `  - - title: x` is two items and a key. */
function nodesOfLine(text: string, line: number): { nodes: YamlNode[]; blockScalarAt?: number } {
  const nodes: YamlNode[] = [];
  let column = text.length - text.trimStart().length;
  let rest = text.slice(column);
  while (rest === '-' || rest.startsWith('- ')) {
    nodes.push({ kind: 'item', column, line, opensBlock: false, children: [] });
    const after = rest.slice(1);
    const skipped = after.length - after.trimStart().length;
    column += 1 + skipped;
    rest = after.trimStart();
  }
  const key = KEY.exec(rest);
  if (key) {
    const value = rest.slice(key[0].length).trim();
    nodes.push({ kind: 'key', key: unquote(key[1]!.trim()), column, line, opensBlock: value === '' || value.startsWith('#'), children: [] });
    if (BLOCK_SCALAR.test(value)) return { nodes, blockScalarAt: column };
  }
  return { nodes };
}

/** The text's nodes as a tree, nested by column (a `- ` item may sit at its key's own column). */
function parse(text: string): YamlNode {
  const root: YamlNode = { kind: 'key', column: -1, line: 0, opensBlock: true, children: [] };
  const stack: YamlNode[] = [root];
  let scalarColumn: number | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (scalarColumn !== undefined) {
      if (trimmed === '' || indent > scalarColumn) return;
      scalarColumn = undefined;
    }
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === '---' || trimmed === '...') return;
    const { nodes, blockScalarAt } = nodesOfLine(raw, index + 1);
    for (const node of nodes) {
      for (;;) {
        const top = stack[stack.length - 1]!;
        const itemUnderItsKey = node.kind === 'item' && top.kind === 'key' && top.opensBlock && top.column === node.column;
        if (top.column < node.column || itemUnderItsKey) break;
        stack.pop();
      }
      stack[stack.length - 1]!.children.push(node);
      stack.push(node);
    }
    scalarColumn = blockScalarAt;
  });
  return root;
}

/** Where in `yaml` the path is: the line, and whether that is the path itself or the deepest part of it found. */
export function lineOfPath(yaml: string, path: string): { line: number; exact: boolean } | undefined {
  let node = parse(yaml);
  let found: YamlNode | undefined;
  for (const segment of pathSegments(path)) {
    const next =
      typeof segment === 'number'
        ? node.children.filter((child) => child.kind === 'item')[segment]
        : node.children.find((child) => child.kind === 'key' && child.key === segment);
    if (!next) return found ? { line: found.line, exact: false } : undefined;
    node = next;
    found = next;
  }
  return found ? { line: found.line, exact: true } : undefined;
}

/** The line a YAML syntax error names (`... at line 4, column 2: ...`). */
export function lineOfSyntaxError(message: string): number | undefined {
  const found = /\bat line (\d+)/.exec(message);
  return found ? Number(found[1]) : undefined;
}
