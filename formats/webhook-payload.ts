/**
 * The JSON an outgoing status-update webhook carries: the incident as a receiver needs it (who, what, how bad, where to
 * look), the update's text when there is one, and the links. A stable, flat shape of its own rather than the whole
 * IncidentView, so internal fields (launch steps, revisions, the timeline) can change without breaking receivers.
 */
import { incidentHeadline, type IncidentHeadline } from '../domain/incident-view.js';
import type { IncidentView, StatusUpdate } from '../domain/incident.js';
import type { WEBHOOK_EVENTS } from '../domain/playbook/vocabulary.js';

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The incident as a receiver gets it: what it is, when, its playbook and where to look. */
export type WebhookIncident = IncidentHeadline &
  Pick<IncidentView, 'reportedAt' | 'acknowledgedAt' | 'resolvedAt'> & {
    playbook: { id: string; version: number; title: string };
    links: { channel?: string; ticket?: string; meeting?: string };
  };

export interface WebhookPayload {
  event: WebhookEvent;
  incident: WebhookIncident;
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
      ...incidentHeadline(view),
      playbook: { id: view.playbook.id, version: view.playbook.version, title: view.playbook.title },
      reportedAt: view.reportedAt,
      ...(view.acknowledgedAt ? { acknowledgedAt: view.acknowledgedAt } : {}),
      ...(view.resolvedAt ? { resolvedAt: view.resolvedAt } : {}),
      links,
    },
    ...(about ? { update: { number: about.number, at: about.at, author: about.author, message: about.message } } : {}),
  };
}
