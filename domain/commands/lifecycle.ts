/**
 * Commands about the incident's course: acknowledge, who commands it, its severity, and the status machine
 * (resolve, reopen, close), with the resolution every resolving path shares.
 */
import { z } from 'zod';
import { IncidentCommandError } from '../errors.js';
import { enqueueWebhooks, type FollowUpKind } from '../follow-ups.js';
import type { IncidentState } from '../incident.js';
import { actorSchema, usernameSchema } from '../people.js';
import { draftRetrospective } from '../retrospective.js';
import { recordEvent } from '../timeline.js';
import { acknowledgeIfReported, changeStatus, define, refuseWhenClosed, requireStatus } from './definition.js';

export const lifecycleCommands = {
  acknowledge: define({
    summary: 'Acknowledge the incident: someone is on it (reported → active).',
    payload: z.object({ actor: actorSchema }),
    check(state) {
      requireStatus(state, ['reported'], 'acknowledge', {
        active: 'it was already acknowledged',
        resolved: 'it was already acknowledged (reopen it if the impact is back)',
      });
    },
    apply(state, { actor }, now) {
      acknowledgeIfReported(state, actor, now, ' (acknowledged)');
    },
  }),

  changeCommander: define({
    summary: 'Hand the commander role to someone else (acknowledges a reported incident).',
    payload: z.object({ commander: usernameSchema, actor: actorSchema }),
    check(state, { commander }) {
      refuseWhenClosed(state);
      if (state.commander === commander) {
        throw new IncidentCommandError('conflict', `@${commander} is already the commander of incident ${state.id}`);
      }
    },
    apply(state, { commander, actor }, now) {
      const previous = state.commander;
      state.commander = commander;
      if (!state.participants.includes(commander)) state.participants.push(commander);
      recordEvent(state, now, 'commander_changed', actor, `@${actor} changed the commander from @${previous} to @${commander}`, {
        from: previous,
        to: commander,
      });
      acknowledgeIfReported(state, actor, now, ` (@${commander} took command)`);
    },
  }),

  setSeverity: define({
    summary: "Change the severity to one of the playbook's levels.",
    payload: z.object({ severity: z.string().trim().toLowerCase(), actor: actorSchema }),
    check(state, { severity }) {
      refuseWhenClosed(state);
      if (!state.playbook.severities.includes(severity)) {
        throw new IncidentCommandError(
          'invalid_input',
          `severity "${severity}" is not one of ${state.playbook.severities.join(', ')}`,
          [`severity: expected one of ${state.playbook.severities.join(', ')}`],
        );
      }
      if (state.severity === severity) throw new IncidentCommandError('conflict', `severity is already ${severity}`);
    },
    apply(state, { severity, actor }, now) {
      const from = state.severity;
      state.severity = severity;
      recordEvent(state, now, 'severity_changed', actor, `@${actor} changed the severity from ${from} to ${severity}`, {
        from,
        to: severity,
      });
    },
  }),

  resolve: define({
    summary: 'Resolve the incident: the impact is over (active → resolved).',
    payload: z.object({ summary: z.string().trim().max(4000).optional(), actor: actorSchema }),
    check(state) {
      requireStatus(state, ['active'], 'resolve', { reported: 'acknowledge it first' });
    },
    apply(state, { summary, actor }, now) {
      resolveIncident(state, actor, now, summary);
    },
  }),

  reopen: define({
    summary: 'Reopen a resolved incident (resolved → active).',
    payload: z.object({ reason: z.string().trim().max(4000).optional(), actor: actorSchema }),
    check(state) {
      requireStatus(state, ['resolved'], 'reopen', {
        reported: 'only a resolved incident can be reopened',
        active: 'only a resolved incident can be reopened',
      });
    },
    apply(state, { reason, actor }, now) {
      delete state.resolvedAt;
      changeStatus(state, 'active', actor, now, reason ? `: ${reason}` : '');
      // The status-update clock starts again from the reopening, not from an update posted before the resolution.
      state.statusReminder = { sent: 0, lastSentAt: now };
    },
  }),

  close: define({
    summary: 'Close a resolved incident for good (resolved → closed); ends its workflow.',
    payload: z.object({ actor: actorSchema }),
    check(state) {
      requireStatus(state, ['resolved'], 'close', { reported: 'resolve it first', active: 'resolve it first' });
    },
    apply(state, { actor }, now) {
      state.closedAt = now;
      changeStatus(state, 'closed', actor, now);
      if (state.playbook.archiveChannelOnClose) state.followUps.push({ id: 'archiveChannel-1', kind: 'archiveChannel', status: 'pending' });
    },
  }),
};

/** Resolution, whoever asks for it (a person, or the alerts resolving when the playbook says so). */
export function resolveIncident(state: IncidentState, actor: string, now: string, summary?: string, why = ''): void {
  state.resolvedAt = now;
  if (summary) state.summary = summary;
  changeStatus(state, 'resolved', actor, now, why);
  state.resolutions += 1;
  enqueueResolutionFollowUps(state);
  enqueueWebhooks(state, 'incident-resolved');
  // A reopened and re-resolved incident keeps the retrospective it has; only the first resolution drafts one.
  if (state.playbook.retrospective?.enabled && !state.retrospective) {
    state.retrospective = { status: 'draft', text: draftRetrospective(state, now), draftedAt: now, reminders: 0 };
    recordEvent(state, now, 'retrospective_drafted', 'system', "Retrospective drafted from the playbook's template; publish it with `/incident retro publish`");
  }
}

/** What resolving asks of the outside world, per the playbook; the workflow runs these as activities. */
function enqueueResolutionFollowUps(state: IncidentState): void {
  const n = state.resolutions;
  const add = (kind: FollowUpKind) => state.followUps.push({ id: `${kind}-${n}`, kind, status: 'pending' });
  if (state.playbook.jira.enabled && state.playbook.jira.commentOnResolve) add('commentTicket');
  if (state.playbook.jira.enabled && state.playbook.jira.transitionOnResolve) add('transitionTicket');
  if (state.playbook.opsgenie.page) add('closeAlert');
}
