/**
 * The playbook's text templates filled in for one incident: the channel's header and purpose, the welcome message, the
 * status-update starting text. One set of values for all of them, so a placeholder means the same thing everywhere.
 * Pure code: the workflow renders these.
 */
import type { IncidentState } from '../domain/incident.js';
import { fillTemplate } from '../domain/playbook/templates.js';
import type { PlaybookPlaceholder } from '../domain/playbook/vocabulary.js';
import type { PlaybookSnapshot } from '../domain/playbook/snapshot.js';

/** What the templates read: the workflow's state, or the view the API holds. */
export type TemplateSubject = Pick<
  IncidentState,
  'id' | 'number' | 'reportedAt' | 'name' | 'summary' | 'severity' | 'status' | 'commander' | 'reporter' | 'links'
> & { playbook: Omit<PlaybookSnapshot, 'checklists'> };

export function incidentTemplateValues(state: TemplateSubject): Partial<Record<PlaybookPlaceholder, string | number>> {
  return {
    id: state.id,
    seq: state.number ?? state.id,
    date: state.reportedAt.slice(0, 10),
    name: state.name,
    summary: state.summary,
    severity: state.severity,
    status: state.status,
    commander: `@${state.commander}`,
    reporter: `@${state.reporter}`,
    playbook: state.playbook.title,
    // Not known yet reads better as "none" than as an empty gap in a sentence.
    ticket: state.links.ticketKey ?? 'none',
    meeting: state.links.meetingUrl ?? 'none',
    channel: state.links.channelName ? `~${state.links.channelName}` : 'the incident channel',
  };
}

/** The channel purpose (Mattermost allows 250 characters). */
export function renderChannelPurpose(state: IncidentState): string {
  const template = state.playbook.channel.purposeTemplate;
  const text = template ? fillTemplate(template, incidentTemplateValues(state)) : `Incident ${state.id}: ${state.summary || state.name}`;
  // "{{name}}: {{summary}}" with no summary must not end in a dangling separator.
  return text.replace(/[\s:·|,;–-]+$/u, '').slice(0, 250);
}

/** The welcome message a member who joins later receives, or undefined when the playbook has none. */
export function renderWelcomeMessage(state: IncidentState): string | undefined {
  const template = state.playbook.welcomeMessage;
  return template ? fillTemplate(template, incidentTemplateValues(state)).slice(0, 4000) : undefined;
}

/** The text a new status update starts from (the dialog's default), or undefined when the playbook has no template. */
export function renderStatusUpdateTemplate(state: TemplateSubject): string | undefined {
  const template = state.playbook.statusUpdates?.template;
  return template ? fillTemplate(template, incidentTemplateValues(state)).slice(0, 4000) : undefined;
}
