/**
 * What the edit and new pages share: the text, the problems of the last refusal placed on its lines, a message about
 * the last attempt, and focus moved (after the page has drawn it) to whatever the person should read next.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { placeProblems, type PlacedProblem } from './problems.js';
import { PROBLEMS_TITLE_ID } from './yaml-editor.js';

export interface Outcome {
  kind: 'saved' | 'conflict' | 'failed';
  text: string;
}

export const OUTCOME_ID = 'playbook-outcome';

export function useEditor(initialText: string) {
  const [text, setText] = useState(initialText);
  const [problems, setProblems] = useState<PlacedProblem[]>([]);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [busy, setBusy] = useState(false);
  const [focus, setFocus] = useState<{ id: string; at: number } | undefined>();
  // The text as last loaded or saved: leaving the page with other text asks first (the browser's own prompt).
  const [kept, setKept] = useState(initialText);
  const unsaved = text !== kept;
  useEffect(() => {
    if (!unsaved) return undefined;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [unsaved]);
  useEffect(() => {
    if (focus) document.getElementById(focus.id)?.focus();
  }, [focus]);
  const focusOn = (id: string) => setFocus({ id, at: Date.now() });

  /** Runs a save; a refusal with problems lists them, any other failure becomes the outcome (a 409 its own kind). */
  const attempt = async (save: () => Promise<Outcome | void>): Promise<void> => {
    setBusy(true);
    setOutcome(undefined);
    const sent = text;
    try {
      const done = await save();
      setProblems([]);
      if (done?.kind === 'saved') setKept(sent);
      if (done) {
        setOutcome(done);
        focusOn(OUTCOME_ID);
      }
    } catch (error) {
      const refused = error instanceof ApiError && error.status === 400 && (error.fields.length > 0 || error.problems.length > 0);
      if (refused) {
        setProblems(placeProblems(error, text));
        focusOn(PROBLEMS_TITLE_ID);
      } else {
        setProblems([]);
        const conflict = error instanceof ApiError && error.status === 409;
        setOutcome({ kind: conflict ? 'conflict' : 'failed', text: (error as Error).message });
        focusOn(OUTCOME_ID);
      }
    } finally {
      setBusy(false);
    }
  };
  return { text, setText, unsaved, problems, outcome, setOutcome, busy, attempt, focusOn };
}
