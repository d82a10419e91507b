/**
 * The ticket role (Jira today): the incident's issue, found again by a label derived from the idempotency key, its
 * comments and transitions. Declared by the activities that use it; the ticket adapter implements it.
 */

/** How the label an incident's issue carries begins (activities/tickets.ts ticketLabel). */
export const INCIDENT_LABEL_PREFIX = 'incident-';

export interface Ticket {
  key: string;
  url: string;
}

/** An issue to open. */
export interface NewTicket {
  summary: string;
  description: string;
  labels: string[];
  project?: string;
  issueType?: string;
  components?: string[];
}

export interface TicketPort {
  findIssueByLabel(label: string): Promise<Ticket | undefined>;
  /** Project and issue type fall back to the adapter's configured defaults; components are the project's, by name. */
  createIssue(request: NewTicket): Promise<Ticket>;
  /** Whether a comment on the issue already contains this marker (how a retried comment is recognised). */
  hasCommentContaining(issueKey: string, marker: string): Promise<boolean>;
  addComment(issueKey: string, body: string): Promise<void>;
  /** Moves the issue through the transition with this name (or to a status of this name). False when none matches. */
  transitionIssue(issueKey: string, transition: string): Promise<boolean>;
  /**
   * The other issues carrying this issue's incident label (`incident-...`), oldest first: the second issue of one
   * incident, when Jira finished a create after its caller gave up and the retry, finding nothing yet, made another.
   */
  sameIncidentIssues(issueKey: string): Promise<Ticket[]>;
}
