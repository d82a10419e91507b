/**
 * Playbooks as text: import from YAML or JSON (syntax errors become problems with line and column, like any other
 * problem) and export to YAML or JSON.
 *
 * Not imported by workflow code (it uses the `yaml` package); the workflow only needs domain/playbook/.
 */
import { parseDocument, stringify, YAMLError } from 'yaml';
import type { PlaybookProblem } from '../domain/playbook/messages.js';
import type { Playbook } from '../domain/playbook/schema.js';
import { validatePlaybook } from '../domain/playbook/validation.js';

export type PlaybookTextFormat = 'yaml' | 'json';

export type PlaybookTextResult = { ok: true; playbook: Playbook } | { ok: false; problems: PlaybookProblem[] };

/** Line and column (both from 1) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function yamlProblem(error: YAMLError): PlaybookProblem {
  const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const at = error.linePos?.[0];
  return { path: '', message: at ? `YAML syntax error at line ${at.line}, column ${at.col}: ${reason}` : `YAML syntax error: ${reason}` };
}

function jsonProblem(text: string, error: Error): PlaybookProblem {
  const reason = error.message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ \(line \d+ column \d+\)$/, '')
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  const position = /at position (\d+)/.exec(error.message);
  // Older Node versions give no position for some errors; YAML (a superset of JSON) usually finds the same spot.
  const at = position
    ? lineAndColumn(text, Number(position[1]))
    : (() => {
        const pos = parseDocument(text).errors[0]?.linePos?.[0];
        return pos ? { line: pos.line, column: pos.col } : undefined;
      })();
  return { path: '', message: at ? `JSON syntax error at line ${at.line}, column ${at.column}: ${reason}` : `JSON syntax error: ${reason}` };
}

/** Parses and validates a playbook file's text; every problem (syntax or content) comes back at once. */
export function parsePlaybookText(text: string, format: PlaybookTextFormat): PlaybookTextResult {
  let raw: unknown;
  if (format === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { ok: false, problems: [jsonProblem(text, error as Error)] };
    }
  } else {
    const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) return { ok: false, problems: document.errors.map(yamlProblem) };
    try {
      // A YAML bomb (aliases of aliases) would expand without bound: past 100 alias uses, it is refused.
      raw = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      if (!(error instanceof ReferenceError || error instanceof YAMLError)) throw error;
      return { ok: false, problems: [{ path: '', message: `YAML: ${error.message} (at most 100 alias uses)` }] };
    }
  }
  return validatePlaybook(raw);
}

/** A playbook as YAML or JSON text, every field written out; parsing it again gives an equal playbook. */
export function formatPlaybook(playbook: Playbook, format: PlaybookTextFormat): string {
  if (format === 'json') return `${JSON.stringify(playbook, null, 2)}\n`;
  return stringify(playbook, { lineWidth: 0 });
}
