/**
 * A refused playbook's problems, each placed: its path, its message and, where the YAML shows it, the line. The API
 * sends them as `fields`; an older API (or a refusal with only `problems` strings) gets its `path: message` strings
 * split the same way.
 */
import type { ApiError, FieldProblem } from '../api.js';
import { lineOfPath, lineOfSyntaxError } from './yaml-lines.js';

export interface PlacedProblem extends FieldProblem {
  /** 1-based; absent when the text does not show where. */
  line?: number;
  /** The line is the deepest part of the path the text shows (a flow list, say), not the field itself. */
  near?: boolean;
}

const PATH_PREFIX = /^((?:[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"])(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"])*): (.+)$/s;

function fieldsOf(error: ApiError): FieldProblem[] {
  if (error.fields.length) return error.fields;
  return error.problems.map((problem) => {
    const found = PATH_PREFIX.exec(problem);
    return found ? { path: found[1]!, message: found[2]! } : { path: '', message: problem };
  });
}

export function placeProblems(error: ApiError, yaml: string): PlacedProblem[] {
  return fieldsOf(error).map((problem) => {
    if (!problem.path) {
      const line = lineOfSyntaxError(problem.message);
      return line ? { ...problem, line } : problem;
    }
    const at = lineOfPath(yaml, problem.path);
    return at ? { ...problem, line: at.line, ...(at.exact ? {} : { near: true }) } : problem;
  });
}

/** The character range of a 1-based line, to select it in the text area. */
export function rangeOfLine(text: string, line: number): [number, number] {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return [text.length, text.length];
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return [start, end === -1 ? text.length : end];
}

/** The 1-based line a character offset is on. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
