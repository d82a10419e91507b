/**
 * /app/incidents/:id: for now the incident's headline (GET /api/v1/incidents/:id). The full page (checklists, timeline,
 * actions, live updates) comes in a later step of the plan (docs/plans/web-app.md, S3).
 */
import type { IncidentView } from '../../domain/incident.js';
import { request } from '../api.js';
import { Failure, Loading } from '../components/states.js';
import { STATUS_LABELS } from '../incident-filters.js';
import { when } from '../incident-summary.js';
import { useRequest } from '../use-request.js';

type Headline = Pick<IncidentView, 'id' | 'number' | 'name' | 'summary' | 'status' | 'severity' | 'commander' | 'reporter' | 'team' | 'reportedAt'> & {
  playbook: Pick<IncidentView['playbook'], 'id'>;
};

export function IncidentPage({ id }: { id: string }) {
  const incident = useRequest((signal) => request<Headline>('GET', `/api/v1/incidents/${encodeURIComponent(id)}`, { signal }), [id]);
  if (incident.status === 'loading') return <Loading what="the incident" />;
  if (incident.status === 'failed') {
    return (
      <>
        <h1>Incident {id}</h1>
        <Failure error={incident.error} onRetry={incident.retry} />
        <p>
          <a href="/app/">Back to the incident list</a>
        </p>
      </>
    );
  }
  const view = incident.data;
  const facts: Array<[string, string]> = [
    ['Status', STATUS_LABELS[view.status] ?? view.status],
    ['Severity', view.severity],
    ['Commander', view.commander],
    ['Reporter', view.reporter],
    ['Team', view.team],
    ['Playbook', view.playbook.id],
    ['Reported', when(view.reportedAt)],
  ];
  return (
    <>
      <h1>
        {view.number !== undefined ? <span class="number">#{view.number} </span> : null}
        {view.name}
      </h1>
      {view.summary ? <p class="summary">{view.summary}</p> : null}
      <dl class="facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="note">The full incident page (checklists, timeline, updates and actions) is coming.</p>
      <p>
        <a href="/app/">Back to the incident list</a>
      </p>
    </>
  );
}
