/**
 * Sending one of the incident's commands (POST /api/v1/incidents/:id/<route>, api/incident-routes.ts COMMAND_ROUTES)
 * from one place on the page: the new view it answers with is applied at once, and a refusal (400 with its problems,
 * 403, 409) stays next to the control that caused it until the next try, so it is never lost in a corner of the page.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';
import type { IncidentView } from '../../domain/incident.js';
import { request, type ApiError } from '../api.js';
import { Problems } from '../components/states.js';
import { me } from '../session.js';
import { incidentApiPath } from './live.js';

export interface IncidentContext {
  id: string;
  apply: (view: IncidentView) => void;
}

/** The page's h1 (focusable from script): where focus goes when the part of the page that had it is gone. */
export const INCIDENT_TITLE_ID = 'incident-title';

export const Incident = createContext<IncidentContext>({ id: '', apply: () => {} });

/**
 * Who the command names as its actor. A signed-in caller is named by the API itself from the session (whatever the body
 * says); an open API takes the body's word, and the page acts as the name open mode gives it rather than "unknown".
 */
function actor(): Record<string, string> {
  const who = me.value;
  return who?.via === 'open' ? { actor: who.name } : {};
}

export interface Action {
  /** Sends the command; resolves true when it was applied. */
  run: (route: string, body?: Record<string, unknown>) => Promise<boolean>;
  pending: boolean;
  error?: Error;
}

/** Where focus goes when a control disappears with the change it made (a ref to a heading with tabIndex -1). */
export interface FocusTarget {
  readonly current: HTMLElement | null;
}

/** `focusAfter`: where focus goes when the control that was used disappears with the change (Acknowledge, once done). */
export function useAction(focusAfter?: FocusTarget): Action {
  const { id, apply } = useContext(Incident);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const run = useCallback(
    async (route: string, body: Record<string, unknown> = {}) => {
      setPending(true);
      setError(undefined);
      try {
        apply(await request<IncidentView>('POST', `${incidentApiPath(id)}/${route}`, { body: { ...body, ...actor() } }));
        // After the re-render: if the control is gone, focus stays in the same part of the page, not on <body>; if
        // that part went too (closing removes every action), it goes to the incident's title.
        requestAnimationFrame(() => {
          const focused = document.activeElement;
          if (focused && focused !== document.body) return;
          const target = focusAfter?.current?.isConnected ? focusAfter.current : document.getElementById(INCIDENT_TITLE_ID);
          target?.focus();
        });
        return true;
      } catch (failure) {
        setError(failure as Error);
        return false;
      } finally {
        setPending(false);
      }
    },
    [id, apply, focusAfter],
  );
  return { run, pending, ...(error ? { error } : {}) };
}

/** A command's refusal, in the API's words, beside the control that sent it. */
export function ActionError({ error, what }: { error?: Error | undefined; what: string }) {
  if (!error) return null;
  // A problem the message already says (a single refused field) is not said twice.
  const problems = ((error as Partial<ApiError>).problems ?? []).filter((problem) => !error.message.includes(problem));
  return (
    <div class="action-error" role="alert">
      <p>
        Could not {what}: {error.message}
      </p>
      <Problems problems={problems} />
    </div>
  );
}
