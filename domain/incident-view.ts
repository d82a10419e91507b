/**
 * The view built from the incident's state (what queries, the API and the store read) and the store's projection of it.
 * Copies, never the live state; webhook URLs masked.
 */
import type { IncidentState, IncidentView } from './incident.js';
import type { TimelineEvent } from './timeline.js';

function millisBetween(from: string, to: string | undefined): number | undefined {
  return to === undefined ? undefined : Date.parse(to) - Date.parse(from);
}

export function incidentView(state: IncidentState): IncidentView {
  const tasks = state.checklists.flatMap((checklist) => checklist.tasks);
  // Leave out what the view drops before copying: the remembered Update IDs and the playbook's checklists (the
  // incident's own are in `checklists`) are most of a state's bytes besides the timeline, and the store's projection
  // reads a view after every change.
  const { playbook: livePlaybook, recentUpdateIds: _ids, ...liveRest } = state;
  const { checklists: _snapshotChecklists, ...livePlaybookSummary } = livePlaybook;
  const { rest, playbookSummary } = deepCopy({ rest: liveRest, playbookSummary: livePlaybookSummary });
  // Webhook URLs often carry their own secret in the path (Slack, Mattermost): readers of the view see the host only.
  for (const webhook of playbookSummary.statusUpdates?.webhooks ?? []) webhook.url = maskUrl(webhook.url);
  for (const followUp of rest.followUps) if (followUp.kind === 'deliverWebhook' && followUp.target) followUp.target = maskUrl(followUp.target);
  const view: IncidentView = {
    ...rest,
    playbook: playbookSummary,
    progress: {
      done: tasks.filter((task) => task.state === 'done').length,
      skipped: tasks.filter((task) => task.state === 'skipped').length,
      total: tasks.length,
    },
  };
  const tta = millisBetween(state.reportedAt, state.acknowledgedAt);
  const ttr = millisBetween(state.reportedAt, state.resolvedAt);
  if (tta !== undefined) view.timeToAcknowledgeMs = tta;
  if (ttr !== undefined) view.timeToResolveMs = ttr;
  return view;
}

function maskUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i.exec(url);
  return match ? `${match[1]}/…` : '…';
}

/** A deep copy, so a view handed out never aliases the workflow's live state. */
function deepCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * What the store's projection writes (read through a query, so none of it enters the workflow's history): the view
 * without its timeline, and the timeline events after a position, at most `limit` of them (the rest come next time).
 */
export interface IncidentProjection {
  view: IncidentView;
  events: TimelineEvent[];
}

export function incidentProjection(state: IncidentState, afterSeq: number, limit: number): IncidentProjection {
  const events = state.timeline.filter((event) => event.seq > afterSeq).slice(0, limit);
  const view = incidentView({ ...state, timeline: [] });
  return { view, events: deepCopy(events) };
}

/** What an incident is, in a few fields: the part of the view that webhooks and the store's records both carry. */
export type IncidentHeadline = Pick<IncidentView, 'id' | 'number' | 'name' | 'summary' | 'status' | 'severity' | 'commander' | 'reporter' | 'team'>;

export function incidentHeadline(view: IncidentView): IncidentHeadline {
  return {
    id: view.id,
    ...(view.number !== undefined ? { number: view.number } : {}),
    name: view.name,
    summary: view.summary,
    status: view.status,
    severity: view.severity,
    commander: view.commander,
    reporter: view.reporter,
    team: view.team,
  };
}
