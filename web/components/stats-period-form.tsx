/**
 * The stats page's period (last 7, 30 or 90 days, or between two dates) and team. Like the list's filters, a change
 * applies when the form is submitted; dates that cannot be asked for are said at their field, which gets the focus.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { datesOf, PRESET_DAYS, periodProblems, type PresetDays, type StatsChoice } from '../stats-period.js';
import { hintId } from './field.js';

type Kind = PresetDays | 'between';

interface Draft {
  kind: Kind;
  from: string;
  to: string;
  team: string;
}

/** The dates start as the period shown, so "Between dates" begins from it rather than from empty fields. */
const draftOf = (choice: StatsChoice): Draft => ({ kind: choice.kind === 'last' ? choice.days : 'between', ...datesOf(choice, Date.now()), team: choice.team });

const errorId = (id: string) => `${id}-error`;

function DateField({ id, label, value, error, onInput }: { id: string; label: string; value: string; error?: string; onInput: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="date" value={value} aria-invalid={error ? 'true' : undefined} {...(error ? { 'aria-describedby': errorId(id) } : {})} onInput={(event) => onInput(event.currentTarget.value)} />
      {error ? (
        <p id={errorId(id)} class="error-text">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function StatsPeriodForm({ choice, onApply }: { choice: StatsChoice; onApply: (choice: StatsChoice) => void }) {
  const [draft, setDraft] = useState(() => draftOf(choice));
  const [problems, setProblems] = useState<{ from?: string; to?: string }>({});
  const form = useRef<HTMLFormElement>(null);
  // Back and Forward change the period from outside the form.
  useEffect(() => setDraft(draftOf(choice)), [choice]);
  const set = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  const submit = (event: Event) => {
    event.preventDefault();
    // Team names in URLs are lower case; "Platform" means the team platform.
    const team = draft.team.trim().toLowerCase();
    if (draft.kind !== 'between') {
      setProblems({});
      onApply({ kind: 'last', days: draft.kind, team });
      return;
    }
    const found = periodProblems(draft.from, draft.to);
    setProblems(found);
    if (found.from || found.to) {
      form.current?.querySelector<HTMLInputElement>(`#${found.from ? 'stats-from' : 'stats-to'}`)?.focus();
      return;
    }
    onApply({ kind: 'between', from: draft.from, to: draft.to, team });
  };
  return (
    <form class="filters stats-period" ref={form} aria-label="Stats period" onSubmit={submit} noValidate>
      <fieldset class="scope-switch">
        <legend>Period</legend>
        {[...PRESET_DAYS, 'between' as const].map((kind) => (
          <label class="choice" key={kind}>
            <input type="radio" name="period" value={String(kind)} checked={draft.kind === kind} onChange={() => set({ kind })} />
            {kind === 'between' ? 'Between dates' : `Last ${kind} days`}
          </label>
        ))}
      </fieldset>
      {draft.kind === 'between' ? (
        <>
          <DateField id="stats-from" label="From (first day)" value={draft.from} {...(problems.from ? { error: problems.from } : {})} onInput={(from) => set({ from })} />
          <DateField id="stats-to" label="To (last day)" value={draft.to} {...(problems.to ? { error: problems.to } : {})} onInput={(to) => set({ to })} />
        </>
      ) : null}
      <div class="field">
        <label for="stats-team">Team</label>
        <input id="stats-team" type="text" value={draft.team} autoComplete="off" spellcheck={false} aria-describedby={hintId('stats-team')} onInput={(event) => set({ team: event.currentTarget.value })} />
        <p class="hint" id={hintId('stats-team')}>
          A team's URL name; empty for every team
        </p>
      </div>
      <div class="actions">
        <button type="submit">Show stats</button>
      </div>
    </form>
  );
}
