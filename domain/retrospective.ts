/**
 * The retrospective's first draft, written when the incident is resolved: the playbook's template (or the built-in
 * one) with the incident's facts filled in, so the commander starts from a page that already holds the summary, the
 * metrics, the timeline's highlights and how the checklist went, and only has to add the judgement. Pure code.
 */
import { formatElapsed } from './duration.js';
import type { IncidentState } from './incident.js';
import type { TimelineEventKind } from './timeline.js';
import { fillTemplate } from './playbook/templates.js';

/** Long enough for a real write-up; published as one Mattermost post, whose limit is 16,383 characters. */
export const MAX_RETROSPECTIVE_LENGTH = 15_000;

export const DEFAULT_RETROSPECTIVE_TEMPLATE = [
  '## Retrospective: {{name}}',
  'Incident {{id}} · severity {{severity}} · commander {{commander}} · reported by {{reporter}} · playbook "{{playbook}}" · ticket {{ticket}}',
  '',
  '### Summary',
  '{{summary}}',
  '',
  '### Impact',
  '_Who and what was affected, how badly, and for how long?_',
  '',
  '### Metrics',
  '{{metrics}}',
  '',
  '### Timeline highlights',
  '{{timeline}}',
  '',
  '### Checklist outcome',
  '{{checklists}}',
  '',
  '### What went well',
  '- ',
  '',
  '### What could have gone better',
  '- ',
  '',
  '### Action items',
  '- [ ] ',
].join('\n');

/** The events a reader of the retrospective wants; task clicks and integration chatter stay in the full timeline. */
const HIGHLIGHT_KINDS: ReadonlySet<TimelineEventKind> = new Set([
  'incident_reported',
  'status_changed',
  'commander_changed',
  'severity_changed',
  'status_update_posted',
  'note',
]);
const MAX_HIGHLIGHTS = 40;

const span = formatElapsed;

export function metricsText(state: IncidentState, now: string): string {
  const at = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);
  const reported = Date.parse(state.reportedAt);
  const acknowledged = at(state.acknowledgedAt);
  const resolved = at(state.resolvedAt);
  const tasks = state.checklists.flatMap((checklist) => checklist.tasks);
  const count = (s: string) => tasks.filter((task) => task.state === s).length;
  return [
    `- Reported: ${state.reportedAt.slice(0, 16).replace('T', ' ')} UTC`,
    `- Time to acknowledge: ${acknowledged !== undefined ? span(acknowledged - reported) : 'not acknowledged'}`,
    `- Time to resolve: ${resolved !== undefined ? span(resolved - reported) : 'not resolved'}`,
    `- Open for: ${span((resolved ?? Date.parse(now)) - reported)}`,
    `- Status updates: ${state.statusUpdates.at(-1)?.number ?? 0}`,
    `- Tasks: ${count('done')} done, ${count('skipped')} skipped, ${count('open') + count('in_progress')} left open, of ${tasks.length}`,
  ].join('\n');
}

export function timelineHighlights(state: IncidentState): string {
  const highlights = state.timeline.filter((event) => HIGHLIGHT_KINDS.has(event.kind));
  const shown = highlights.slice(-MAX_HIGHLIGHTS);
  const lines = shown.map((event) => `- ${event.at.slice(11, 16)} UTC · ${event.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  if (highlights.length > shown.length) lines.unshift(`- _(${highlights.length - shown.length} earlier events in the full timeline)_`);
  return lines.join('\n') || '- _No events._';
}

export function checklistOutcome(state: IncidentState): string {
  const mark = { done: '[x]', skipped: '[-]', open: '[ ]', in_progress: '[ ]' } as const;
  return (
    state.checklists
      .map((checklist, c) =>
        [
          `**${c + 1}. ${checklist.title}**`,
          ...checklist.tasks.map((task, t) => {
            const who = task.stateChangedBy && (task.state === 'done' || task.state === 'skipped') ? ` by @${task.stateChangedBy}` : '';
            const late = task.reminded === 'due' ? ' (went overdue)' : '';
            return `- ${mark[task.state]} ${c + 1}.${t + 1} ${task.title}: ${task.state.replace('_', ' ')}${who}${late}`;
          }),
        ].join('\n'),
      )
      .join('\n') || '_This incident had no checklist._'
  );
}

/** The draft: the playbook's template (or the built-in one) with every placeholder filled. */
export function draftRetrospective(state: IncidentState, now: string): string {
  const template = state.playbook.retrospective?.template ?? DEFAULT_RETROSPECTIVE_TEMPLATE;
  const text = fillTemplate(template, {
    id: state.id,
    seq: state.number ?? state.id,
    date: state.reportedAt.slice(0, 10),
    name: state.name,
    summary: state.summary || '_No summary was given._',
    severity: state.severity,
    commander: `@${state.commander}`,
    reporter: `@${state.reporter}`,
    playbook: state.playbook.title,
    ticket: state.links.ticketKey ?? 'none',
    metrics: metricsText(state, now),
    timeline: timelineHighlights(state),
    checklists: checklistOutcome(state),
  });
  return text.slice(0, MAX_RETROSPECTIVE_LENGTH);
}
