/**
 * One adapter per role, as the worker wires them (workers/integrations.ts) or a test does (in-memory, sandboxes).
 */
import type { ChatPort } from './chat.js';
import type { MeetingPort } from './meeting.js';
import type { OnCallPort } from './on-call.js';
import type { TicketPort } from './ticket.js';

export interface IntegrationPorts {
  chat: ChatPort;
  tickets: TicketPort;
  meetings: MeetingPort;
  onCall: OnCallPort;
}
