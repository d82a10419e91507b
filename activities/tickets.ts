/**
 * Ticket (Jira) activities. The issue carries a label made from the incident's key, which is how a retried creation
 * finds the issue instead of opening a second; a resolution comment carries a marker line for the same reason.
 */
import { log } from '@temporalio/activity';
import { INCIDENT_LABEL_PREFIX, type TicketPort } from './ports/ticket.js';
import { mayExistAlready, runStep } from './run-step.js';
import { messageOf } from '../domain/errors.js';

/** Jira labels cannot hold ":" or spaces; the label carries the incident's key so a retry finds the issue. */
export function ticketLabel(key: string): string {
  return `${INCIDENT_LABEL_PREFIX}${key.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/**
 * `channelUrl`: where chat shows a channel (the chat integration's), for an issue opened beside the channel
 * (incident-v16): its description links the channel by the name it is being made with.
 */
export function createTicketActivities(tickets: TicketPort, channelUrl?: (team: string, channelName: string) => string) {
  return {
    async openTicket(request: {
      key: string;
      summary: string;
      description: string;
      project?: string;
      issueType?: string;
      labels?: string[];
      /** Jira component names (the playbook's `jira.components`); an unknown one fails the step without retries. */
      components?: string[];
      /** A first launch's step: its first attempt need not look for an issue an earlier attempt made. */
      fresh?: boolean;
      /** The incident channel, being made meanwhile (incident-v16): the description ends with its link. */
      channel?: { team: string; name: string };
    }): Promise<{ ticketKey: string; url: string; reused: boolean }> {
      const label = ticketLabel(request.key);
      const channelLine = request.channel && channelUrl ? `\nIncident channel: ${channelUrl(request.channel.team, request.channel.name)}` : '';
      return runStep('jira', 'ticket', request.key, async () => {
        const existing = mayExistAlready(request) ? await tickets.findIssueByLabel(label) : undefined;
        if (existing) return { ticketKey: existing.key, url: existing.url, reused: true };
        const issue = await tickets.createIssue({
          summary: request.summary,
          description: `${request.description}${channelLine}`,
          labels: [...new Set([...(request.labels ?? []), label])],
          ...(request.project ? { project: request.project } : {}),
          ...(request.issueType ? { issueType: request.issueType } : {}),
          ...(request.components?.length ? { components: [...new Set(request.components)] } : {}),
        });
        return { ticketKey: issue.key, url: issue.url, reused: false };
      });
    },

    async commentOnTicket(request: { key: string; ticketKey: string; body: string }): Promise<{ reused: boolean }> {
      const marker = `[${request.key}]`;
      return runStep('jira', 'commentTicket', request.key, async () => {
        if (await tickets.hasCommentContaining(request.ticketKey, marker)) return { reused: true };
        await tickets.addComment(request.ticketKey, `${request.body}\n\n${marker}`);
        return { reused: false };
      });
    },

    /**
     * Moves the incident's issue, and any second issue of the same incident with it (a create Jira finished after its
     * caller gave up while the retry made another): said to be a duplicate, and moved too, so none stays open for good.
     * A duplicate that cannot be moved does not fail the step.
     */
    async transitionTicket(request: { key: string; ticketKey: string; transition: string }): Promise<{ moved: boolean; duplicates?: string[] }> {
      const moved = await runStep('jira', 'transitionTicket', request.key, () => tickets.transitionIssue(request.ticketKey, request.transition));
      const duplicates: string[] = [];
      try {
        for (const duplicate of await tickets.sameIncidentIssues(request.ticketKey)) {
          const marker = `[duplicate-of ${request.ticketKey}]`;
          if (!(await tickets.hasCommentContaining(duplicate.key, marker))) {
            await tickets.addComment(duplicate.key, `Duplicate of ${request.ticketKey}: Jira made this issue after the incident had stopped waiting for it, and a retry opened ${request.ticketKey}.\n\n${marker}`);
          }
          await tickets.transitionIssue(duplicate.key, request.transition);
          duplicates.push(duplicate.key);
        }
      } catch (error) {
        log.warn('could not close a duplicate of the incident\'s Jira issue', { ticketKey: request.ticketKey, error: messageOf(error) });
      }
      return { moved, ...(duplicates.length ? { duplicates } : {}) };
    },
  };
}
