/**
 * The JSON an outgoing status-update webhook carries: the incident as a receiver needs it (who, what, how bad, where to
 * look), the update's text when there is one, and the links. A stable, flat shape of its own rather than the whole
 * IncidentView, so internal fields (launch steps, revisions, the timeline) can change without breaking receivers.
 */
import type { IncidentStatus, IncidentView, StatusUpdate } from '../domain/incident.js';
import type { WEBHOOK_EVENTS } from '../domain/playbook/vocabulary.js';

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookPayload {
  event: WebhookEvent;
  incident: {
    id: string;
    number?: number;
    name: string;
    summary: string;
    status: IncidentStatus;
    severity: string;
    commander: string;
    reporter: string;
    team: string;
    playbook: { id: string; version: number; title: string };
    reportedAt: string;
    acknowledgedAt?: string;
    resolvedAt?: string;
    links: { channel?: string; ticket?: string; meeting?: string };
  };
  update?: { number: number; at: string; author: string; message: string };
}

/**
 * `update`: the status update a `status-update` event is about; when omitted, that event falls back to the incident's
 * latest update (the one just posted), so a caller holding only the view still sends its text.
 */
export function webhookPayload(event: WebhookEvent, view: IncidentView, update?: StatusUpdate): WebhookPayload {
  const links: WebhookPayload['incident']['links'] = {};
  if (view.links.channelUrl) links.channel = view.links.channelUrl;
  if (view.links.ticketUrl) links.ticket = view.links.ticketUrl;
  if (view.links.meetingUrl) links.meeting = view.links.meetingUrl;
  const about = update ?? (event === 'status-update' ? view.statusUpdates.at(-1) : undefined);
  return {
    event,
    incident: {
      id: view.id,
      ...(view.number !== undefined ? { number: view.number } : {}),
      name: view.name,
      summary: view.summary,
      status: view.status,
      severity: view.severity,
      commander: view.commander,
      reporter: view.reporter,
      team: view.team,
      playbook: { id: view.playbook.id, version: view.playbook.version, title: view.playbook.title },
      reportedAt: view.reportedAt,
      ...(view.acknowledgedAt ? { acknowledgedAt: view.acknowledgedAt } : {}),
      ...(view.resolvedAt ? { resolvedAt: view.resolvedAt } : {}),
      links,
    },
    ...(about ? { update: { number: about.number, at: about.at, author: about.author, message: about.message } } : {}),
  };
}
