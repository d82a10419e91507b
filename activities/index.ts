/**
 * All activities the incident worker registers, built from their dependencies (real adapters or in-memory ones). Grouped
 * by the system they reach, so the workflow can give each system its own timeouts and retry policy.
 */
import type { ButtonSettings } from '../integrations/mattermost/checklist-attachments.js';
import type { IntegrationPorts } from '../integrations/ports.js';
import { createChatActivities } from './chat.js';
import { createMeetingActivities } from './meetings.js';
import { createOnCallActivities } from './on-call.js';
import { createTicketActivities } from './tickets.js';

export interface ActivityDependencies {
  integrations: IntegrationPorts;
  /** Checklist buttons: where Mattermost sends clicks and the secret that signs them. */
  buttons?: ButtonSettings;
}

export function createActivities({ integrations, buttons }: ActivityDependencies) {
  return {
    ...createChatActivities(integrations.chat, buttons),
    ...createTicketActivities(integrations.tickets),
    ...createMeetingActivities(integrations.meetings),
    ...createOnCallActivities(integrations.onCall),
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
export type ChatActivities = ReturnType<typeof createChatActivities>;
export type TicketActivities = ReturnType<typeof createTicketActivities>;
export type MeetingActivities = ReturnType<typeof createMeetingActivities>;
export type OnCallActivities = ReturnType<typeof createOnCallActivities>;
