/**
 * /app/incidents/:id: the incident, live. The header with its actions, the checklists, status updates, the
 * retrospective, the timeline and the exports, all from one view that the incident's event stream keeps current
 * (web/incident/live.ts) and that every command's answer replaces at once.
 */
import type { IncidentView } from '../../domain/incident.js';
import { Failure, Loading } from '../components/states.js';
import { Incident } from '../incident/actions.js';
import { Checklists } from '../incident/checklists.js';
import { IncidentHeader } from '../incident/header.js';
import { incidentApiPath, useLiveIncident, type Connection } from '../incident/live.js';
import { Retrospective } from '../incident/retrospective.js';
import { StatusUpdates } from '../incident/status-updates.js';
import { Timeline } from '../incident/timeline.js';
import { me } from '../session.js';

const CONNECTION_LABELS: Record<Connection, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

function LiveIndicator({ connection }: { connection: Connection }) {
  return (
    <p class={`live live-${connection}`} aria-live="polite">
      <span class="live-dot" aria-hidden="true" />
      {CONNECTION_LABELS[connection]}
      {connection === 'reconnecting' ? <span class="hint"> (changes show again once it is back)</span> : null}
    </p>
  );
}

function Exports({ view }: { view: IncidentView }) {
  if (!view.links.channelId) return null;
  const file = (format: string) => `${incidentApiPath(view.id)}/export?format=${format}`;
  return (
    <section class="panel" aria-labelledby="exports-title">
      <h2 id="exports-title">Export the post-mortem</h2>
      <p class="hint">The record, timeline, checklists, updates and the channel's conversation, as a file.</p>
      <ul class="exports">
        <li>
          <a href={file('markdown')} download>
            Markdown (.md)
          </a>
        </li>
        <li>
          <a href={file('json')} download>
            JSON
          </a>
        </li>
        <li>
          <a href={file('csv')} download>
            CSV (the timeline)
          </a>
        </li>
      </ul>
    </section>
  );
}

/** Why the actions are missing, when they are. */
function readOnlyReason(view: IncidentView): string | undefined {
  if (view.status === 'closed') return 'This incident is closed: nothing can change any more.';
  if (me.value?.scope === 'read') return 'Your session can read but not change incidents.';
  return undefined;
}

export function IncidentPage({ id }: { id: string }) {
  const live = useLiveIncident(id);
  if (live.error) {
    return (
      <>
        <h1>Incident {id}</h1>
        <Failure error={live.error} onRetry={live.retry} />
        <p>
          <a href="/app/">Back to the incident list</a>
        </p>
      </>
    );
  }
  const view = live.view;
  if (!view) return <Loading what="the incident" />;
  const readOnly = readOnlyReason(view);
  const editable = !readOnly;
  return (
    <Incident.Provider value={{ id: view.id, apply: live.apply }}>
      <div class="incident-top">
        <a href="/app/">← Incident list</a>
        <LiveIndicator connection={live.connection} />
      </div>
      <IncidentHeader view={view} editable={editable} />
      {readOnly ? <p class="note read-only">{readOnly}</p> : null}
      <div class="incident-grid">
        <div>
          <Checklists view={view} editable={editable} />
          <Retrospective view={view} editable={editable} />
        </div>
        <div>
          <StatusUpdates view={view} editable={editable} />
          <Timeline id={view.id} revision={view.revision} />
          <Exports view={view} />
        </div>
      </div>
    </Incident.Provider>
  );
}
