/**
 * Ticket (Jira) activities. The issue carries a label made from the incident's key, which is how a retried creation
 * finds the issue instead of opening a second; a resolution comment carries a marker line for the same reason.
 */
import type { TicketPort } from './ports/ticket.js';
import { mayExistAlready, runStep } from './run-step.js';

/** Jira labels cannot hold ":" or spaces; the label carries the incident's key so a retry finds the issue. */
export function ticketLabel(key: string): string {
  return `incident-${key.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
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

    async transitionTicket(request: { key: string; ticketKey: string; transition: string }): Promise<{ moved: boolean }> {
      return runStep('jira', 'transitionTicket', request.key, async () => ({
        moved: await tickets.transitionIssue(request.ticketKey, request.transition),
      }));
    },
  };
}
