/**
 * All activities the incident worker registers, built from their dependencies (real adapters or in-memory ones). Grouped
 * by the system they reach, so the workflow can give each system its own timeouts and retry policy.
 */
import type { RecordStorePort } from './ports/record-store.js';
import type { ChecklistButtons } from '../formats/checklist-attachments.js';
import type { IntegrationPorts } from './ports/integration-ports.js';
import { createChatActivities } from './chat.js';
import { createGroupActivities } from './groups.js';
import { createMeetingActivities } from './meetings.js';
import { createOnCallActivities } from './on-call.js';
import { createPostmortemActivities } from './postmortem.js';
import { createRecordActivities } from './records.js';
import { createTicketActivities } from './tickets.js';
import { createWebhookActivities, type WebhookActivityOptions } from './webhooks.js';

export interface ActivityDependencies {
  integrations: IntegrationPorts;
  /** Checklist buttons: where Mattermost sends clicks and how they are signed (the worker holds the secret). */
  buttons?: ChecklistButtons;
  /** Status-update webhooks: the sender, where their secrets are looked up (the worker's environment by default). */
  webhooks: WebhookActivityOptions;
  /** The store's incident records, which the workflow keeps current; absent, nothing is projected. */
  records?: RecordStorePort;
}

export function createActivities({ integrations, buttons, webhooks, records }: ActivityDependencies) {
  // One on-call cache for the worker: the channel's activity (incident-v19) and onCallPeople share its answers.
  const onCall = createOnCallActivities(integrations.onCall, undefined, integrations.chat);
  return {
    ...createChatActivities(integrations.chat, buttons, onCall.onCallPeople),
    ...createGroupActivities(integrations.chat),
    ...createTicketActivities(integrations.tickets, (team, channelName) => integrations.chat.channelUrl(team, channelName)),
    ...createMeetingActivities(integrations.meetings),
    ...onCall,
    ...createWebhookActivities(webhooks),
    ...createPostmortemActivities(integrations.chat, records?.timeline),
    ...createRecordActivities(records),
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
export type ChatActivities = ReturnType<typeof createChatActivities>;
export type GroupActivities = ReturnType<typeof createGroupActivities>;
export type TicketActivities = ReturnType<typeof createTicketActivities>;
export type MeetingActivities = ReturnType<typeof createMeetingActivities>;
export type OnCallActivities = ReturnType<typeof createOnCallActivities>;
export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
export type PostmortemActivities = ReturnType<typeof createPostmortemActivities>;
export type RecordActivities = ReturnType<typeof createRecordActivities>;
