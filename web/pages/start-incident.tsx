/**
 * /app/incidents/new: start an incident from a playbook (POST /api/v1/incidents). The severities offered are the chosen
 * playbook's own; the API's problems are shown at the fields they are about, listed in a summary that gets the focus.
 * The reporter is whoever is signed in (the API sets it); open mode has no sign-in, so the form asks for a name.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { controlProps, FormField } from '../components/form-field.js';
import { Failure, Loading } from '../components/states.js';
import { navigate } from '../router.js';
import { me } from '../session.js';
import { EMPTY_DRAFT, firstPlaybook, missingFields, problemsOf, SHIPPED_PLAYBOOKS, startBody, type StartDraft, type StartField, type StartProblems } from '../start-incident.js';
import { useRequest } from '../use-request.js';
import { SeverityField } from '../components/severity-field.js';

interface PlaybookChoice {
  id: string;
  title: string;
}

const LABELS: Record<StartField, string> = {
  reporter: 'Your name',
  playbook: 'Playbook',
  name: 'Incident name',
  summary: 'Summary',
  severity: 'Severity',
  team: 'Team',
  commander: 'Commander',
};

const NO_PROBLEMS: StartProblems = { fields: {}, general: [] };

/** The store's playbooks; without a store (404) or while it is down (503), the ones the API ships. */
function loadPlaybooks(signal: AbortSignal): Promise<{ items: PlaybookChoice[]; shipped: boolean }> {
  return request<{ items: PlaybookChoice[] }>('GET', '/api/v1/playbooks?limit=200', { signal }).then(
    (page) => ({ items: page.items, shipped: false }),
    (error: Error) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 503)) return { items: SHIPPED_PLAYBOOKS, shipped: true };
      throw error;
    },
  );
}

function ErrorSummary({ problems, focusKey }: { problems: StartProblems; focusKey: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), [focusKey]);
  const fields = Object.entries(problems.fields) as Array<[StartField, string]>;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={box} aria-labelledby="start-errors-title">
      <h2 id="start-errors-title">The incident was not started</h2>
      <ul>
        {fields.map(([field, message]) => (
          <li key={field}>
            <a
              href={`#start-${field}`}
              onClick={(event) => {
                event.preventDefault();
                document.getElementById(`start-${field}`)?.focus();
              }}
            >
              {LABELS[field]}: {message}
            </a>
          </li>
        ))}
        {problems.general.map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
    </div>
  );
}

/** A field's id, hint, error and whether it is required, with the absent ones left out (for FormField and its control). */
function describe(field: StartField, hint?: string, error?: string, required?: boolean) {
  return { id: `start-${field}`, ...(hint ? { hint } : {}), ...(error ? { error } : {}), ...(required ? { required } : {}) };
}

function TextInput({ field, value, hint, error, required, onInput }: { field: StartField; value: string; hint?: string; error?: string; required?: boolean; onInput: (value: string) => void }) {
  const described = describe(field, hint, error, required);
  return (
    <FormField label={LABELS[field]} {...described}>
      <input type="text" {...controlProps(described)} value={value} autoComplete="off" spellcheck={false} onInput={(event) => onInput(event.currentTarget.value)} />
    </FormField>
  );
}

export function StartIncidentPage() {
  const askReporter = me.value?.via === 'open';
  const playbooks = useRequest(loadPlaybooks, []);
  const [draft, setDraft] = useState<StartDraft>(EMPTY_DRAFT);
  const [problems, setProblems] = useState<StartProblems>(NO_PROBLEMS);
  const [shown, setShown] = useState(0);
  const [busy, setBusy] = useState(false);
  const set = (field: StartField) => (value: string) => setDraft((current) => ({ ...current, [field]: value }));

  // The first playbook is chosen once the list is in.
  useEffect(() => {
    if (playbooks.status === 'done' && !draft.playbook) set('playbook')(firstPlaybook(playbooks.data.items));
  }, [playbooks.status]);

  const show = (found: StartProblems) => {
    setProblems(found);
    setShown((count) => count + 1);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const missing = missingFields(draft, askReporter);
    if (Object.keys(missing).length) return show({ fields: missing, general: [] });
    setBusy(true);
    try {
      const started = await request<{ id: string }>('POST', '/api/v1/incidents', { body: startBody(draft, askReporter) });
      navigate(`/app/incidents/${encodeURIComponent(started.id)}`);
    } catch (error) {
      setBusy(false);
      show(problemsOf(error as Error));
    }
  };

  if (playbooks.status !== 'done') {
    return (
      <>
        <h1>Start an incident</h1>
        {playbooks.status === 'loading' ? <Loading what="playbooks" /> : <Failure error={playbooks.error} onRetry={playbooks.retry} />}
      </>
    );
  }
  const error = problems.fields;
  const playbookField = describe('playbook', playbooks.data.shipped ? 'The playbooks the service ships (there is no playbook store)' : undefined, error.playbook);
  const summaryField = describe('summary', 'What is happening, for the people who join', error.summary);
  const hasProblems = shown > 0 && (Object.keys(error).length > 0 || problems.general.length > 0);
  return (
    <>
      <h1>Start an incident</h1>
      {hasProblems ? <ErrorSummary problems={problems} focusKey={shown} /> : null}
      <form class="start-form" aria-labelledby="start-title" onSubmit={submit} noValidate>
        <h2 id="start-title" class="visually-hidden">
          New incident
        </h2>
        {askReporter ? (
          <TextInput field="reporter" value={draft.reporter} required hint="Your Mattermost username: open mode has no sign-in, so say who reports it" {...(error.reporter ? { error: error.reporter } : {})} onInput={set('reporter')} />
        ) : null}
        <FormField label={LABELS.playbook} {...playbookField}>
          <select {...controlProps(playbookField)} value={draft.playbook} onChange={(event) => set('playbook')(event.currentTarget.value)}>
            {playbooks.data.items.map((playbook) => (
              <option key={playbook.id} value={playbook.id}>
                {playbook.title} ({playbook.id})
              </option>
            ))}
          </select>
        </FormField>
        <TextInput field="name" value={draft.name} required {...(error.name ? { error: error.name } : {})} onInput={set('name')} />
        <FormField label={LABELS.summary} {...summaryField}>
          <textarea {...controlProps(summaryField)} rows={4} value={draft.summary} onInput={(event) => set('summary')(event.currentTarget.value)} />
        </FormField>
        <SeverityField playbook={draft.playbook} known={!playbooks.data.shipped} value={draft.severity} {...(error.severity ? { error: error.severity } : {})} onChange={set('severity')} />
        <TextInput field="team" value={draft.team} hint="A team's URL name; empty: the service's default team" {...(error.team ? { error: error.team } : {})} onInput={set('team')} />
        <TextInput field="commander" value={draft.commander} hint="A Mattermost username; empty: as the playbook says (usually the reporter)" {...(error.commander ? { error: error.commander } : {})} onInput={set('commander')} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Starting…' : 'Start incident'}
          </button>
        </div>
      </form>
    </>
  );
}
