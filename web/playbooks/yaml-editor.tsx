/**
 * The playbook's YAML in a large text area, the problems that stopped it being saved above it (an error summary: each
 * problem names its path and line, and its link selects that line in the text), and the save button. Used by the edit
 * and the new pages.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { hintId } from '../components/field.js';
import { lineAt, rangeOfLine, type PlacedProblem } from './problems.js';

export const EDITOR_ID = 'playbook-yaml';
export const PROBLEMS_TITLE_ID = 'playbook-problems-title';

/** Selects a line in the text area and brings it into view (the text area scrolls to its selection on focus). */
export function selectLine(line: number): void {
  const area = document.getElementById(EDITOR_ID) as HTMLTextAreaElement | null;
  if (!area) return;
  const [start, end] = rangeOfLine(area.value, line);
  area.focus();
  area.setSelectionRange(start, end);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
  area.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function ProblemSummary({ problems, text }: { problems: PlacedProblem[]; text: string }) {
  const lines = text.split('\n');
  return (
    <section class="error-summary" aria-labelledby={PROBLEMS_TITLE_ID}>
      <h2 id={PROBLEMS_TITLE_ID} tabIndex={-1}>
        {problems.length === 1 ? '1 problem' : `${problems.length} problems`} to fix before saving
      </h2>
      <ul id="playbook-problems" aria-label="Problems">
        {problems.map((problem, index) => (
          <li key={index}>
            <a
              href={`#${EDITOR_ID}`}
              onClick={(event) => {
                event.preventDefault();
                if (problem.line) selectLine(problem.line);
                else document.getElementById(EDITOR_ID)?.focus();
              }}
            >
              {problem.line ? `Line ${problem.line}${problem.near ? ' (near)' : ''}` : 'The playbook'}
              {problem.path ? (
                <>
                  , <code>{problem.path}</code>
                </>
              ) : null}
            </a>
            : {problem.message}
            {problem.line && lines[problem.line - 1]?.trim() ? (
              <pre class="problem-line" aria-label={`line ${problem.line}`}>
                {lines[problem.line - 1]}
              </pre>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export interface YamlEditorProps {
  label: string;
  text: string;
  onText: (text: string) => void;
  problems: PlacedProblem[];
  submitLabel: string;
  busy: boolean;
  onSubmit: () => void;
  /** Beside the save button (an import control, a cancel link). */
  children?: ComponentChildren;
}

export function YamlEditor({ label, text, onText, problems, submitLabel, busy, onSubmit, children }: YamlEditorProps) {
  const [cursorLine, setCursorLine] = useState(1);
  const track = (event: Event) => {
    const area = event.currentTarget as HTMLTextAreaElement;
    setCursorLine(lineAt(area.value, area.selectionStart));
  };
  const problemLines = [...new Set(problems.flatMap((problem) => (problem.line ? [problem.line] : [])))].sort((a, b) => a - b);
  return (
    <form
      class="playbook-editor"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {problems.length ? <ProblemSummary problems={problems} text={text} /> : null}
      <div class="field">
        <label for={EDITOR_ID}>{label}</label>
        <textarea
          id={EDITOR_ID}
          name="playbook"
          class="yaml"
          rows={28}
          spellcheck={false}
          autoComplete="off"
          autoCapitalize="off"
          value={text}
          aria-invalid={problems.length ? 'true' : undefined}
          aria-describedby={`${hintId(EDITOR_ID)}${problems.length ? ' playbook-problems' : ''}`}
          onInput={(event) => {
            onText(event.currentTarget.value);
            track(event);
          }}
          onKeyUp={track}
          onClick={track}
        />
        <p class="hint" id={hintId(EDITOR_ID)}>
          YAML (or JSON). Line {cursorLine}
          {problemLines.length ? `; problems on line${problemLines.length > 1 ? 's' : ''} ${problemLines.join(', ')}` : ''}.
        </p>
      </div>
      <div class="action-row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {children}
      </div>
    </form>
  );
}
