/**
 * Follow-ups: work a command leaves for the workflow to do outside (tell the ticket, post an update, call a webhook...),
 * their kinds, and the webhook deliveries an event queues.
 */
import type { IncidentState } from './incident.js';

/**
 * Work a command leaves for the workflow to do outside, once each: tell the ticket and close the page on resolve, post a
 * status update (and copy it to broadcast channels and webhooks), publish the retrospective, export the post-mortem,
 * archive the channel on close.
 */
export const FOLLOW_UP_KINDS = [
  'commentTicket',
  'transitionTicket',
  'closeAlert',
  'postStatusUpdate',
  'broadcastStatusUpdate',
  'deliverWebhook',
  'publishRetrospective',
  'exportPostmortem',
  'archiveChannel',
  'welcomeMember',
  'placeInSidebar',
  'leaveSidebars',
] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

export interface FollowUp {
  /** `<kind>-<number>[-<target>]`, unique within the incident and the base of its idempotency key. */
  id: string;
  kind: FollowUpKind;
  status: 'pending' | 'done' | 'failed' | 'skipped';
  error?: string;
  /** The status update it concerns (postStatusUpdate, broadcastStatusUpdate, deliverWebhook). */
  update?: number;
  /** Where it goes: the broadcast channel's name, the webhook's URL, or the member's username. */
  target?: string;
  /** deliverWebhook: which event the webhook is told about. */
  event?: 'incident-started' | 'status-update' | 'incident-resolved';
  /** exportPostmortem: who asked, and in which formats. */
  requestedBy?: string;
  formats?: Array<'markdown' | 'json' | 'csv'>;
}

/** One delivery per webhook of the playbook that asked for this event; the workflow sends them after the launch. */
export function enqueueWebhooks(state: IncidentState, event: NonNullable<FollowUp['event']>, update?: number): void {
  const webhooks = state.playbook.statusUpdates?.webhooks ?? [];
  webhooks.forEach((webhook, index) => {
    if (!webhook.events.includes(event)) return;
    // The event and its occasion (update number, resolution number) make the ID, and so the delivery ID, unique.
    const occasion = event === 'status-update' ? update : event === 'incident-resolved' ? state.resolutions : 0;
    state.followUps.push({
      id: `deliverWebhook-${event}-${occasion}-${index + 1}`,
      kind: 'deliverWebhook',
      status: 'pending',
      target: webhook.url,
      event,
      ...(update !== undefined ? { update } : {}),
    });
  });
}
