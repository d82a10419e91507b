/**
 * The incident's view, kept current: read once (so a refusal or an unknown incident is shown in the API's words, which
 * an EventSource cannot report), then replaced by each event of GET /api/v1/incidents/:id/events. A view the page's own
 * command answered with is applied at once; any view older than or as old as the one shown is dropped, so the stream's
 * copy of that same change (or an event that overtook it) never moves the page back.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { IncidentView } from '../../domain/incident.js';
import { request } from '../api.js';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface LiveIncident {
  view?: IncidentView;
  /** The first read failed: there is nothing to show. */
  error?: Error;
  connection: Connection;
  /** Applies a view a command answered with. */
  apply: (view: IncidentView) => void;
  retry: () => void;
}

export const incidentApiPath = (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}`;

/** How long to wait before opening a stream the browser gave up on (refused, not just dropped), growing to a minute. */
const reopenDelay = (failures: number) => Math.min(60_000, 2_000 * 2 ** Math.min(failures, 5));

export function useLiveIncident(id: string): LiveIncident {
  const [view, setView] = useState<IncidentView | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [connection, setConnection] = useState<Connection>('connecting');
  const [attempt, setAttempt] = useState(0);
  const shown = useRef<number>(-1);

  const apply = useCallback((next: IncidentView) => {
    if (next.revision <= shown.current) return;
    shown.current = next.revision;
    setView(next);
  }, []);

  useEffect(() => {
    shown.current = -1;
    setView(undefined);
    setError(undefined);
    setConnection('connecting');
    const controller = new AbortController();
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const open = () => {
      source = new EventSource(`${incidentApiPath(id)}/events`);
      source.addEventListener('open', () => {
        failures = 0;
        setConnection('live');
      });
      source.addEventListener('incident', (event) => {
        try {
          apply(JSON.parse((event as MessageEvent<string>).data) as IncidentView);
        } catch {
          // A frame that is not a view is skipped; the next change sends the whole view again.
        }
      });
      source.addEventListener('error', () => {
        setConnection('reconnecting');
        // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it was refused (a lost session,
        // too many streams, a restart under way); a read says which (a 401 sends the person to sign in), then retry.
        if (source?.readyState !== EventSource.CLOSED) return;
        source.close();
        source = undefined;
        timer = setTimeout(() => {
          request<IncidentView>('GET', incidentApiPath(id), { signal: controller.signal })
            .then(apply)
            .catch(() => {})
            .finally(() => {
              if (!controller.signal.aborted && visible()) open();
            });
        }, reopenDelay(failures++));
      });
    };

    // A browser allows six connections per site over HTTP/1.1: a stream in every background tab would soon leave none
    // for the tab in front. A hidden page closes its stream and opens it again when shown (its first event is then the
    // current view).
    const visible = () => document.visibilityState !== 'hidden';
    const onVisibility = () => {
      if (controller.signal.aborted || shown.current < 0) return;
      if (!visible()) {
        clearTimeout(timer);
        source?.close();
        source = undefined;
        setConnection('connecting');
      } else if (!source) {
        open();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);

    request<IncidentView>('GET', incidentApiPath(id), { signal: controller.signal }).then(
      (first) => {
        if (controller.signal.aborted) return;
        apply(first);
        if (visible()) open();
      },
      (failure: Error) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => {
      controller.abort();
      clearTimeout(timer);
      source?.close();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [id, attempt, apply]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...(view ? { view } : {}), ...(error ? { error } : {}), connection, apply, retry };
}
