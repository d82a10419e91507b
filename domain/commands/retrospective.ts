/**
 * Commands for after the incident: edit, publish or decline the retrospective drafted on resolve, and export the
 * post-mortem.
 */
import { z } from 'zod';
import { IncidentCommandError } from '../errors.js';
import type { IncidentState } from '../incident.js';
import { actorSchema } from '../people.js';
import { MAX_RETROSPECTIVE_LENGTH } from '../retrospective.js';
import { recordEvent } from '../timeline.js';
import { define, refuseWhenClosed } from './definition.js';

export const retrospectiveCommands = {
  editRetrospective: define({
    summary: "Replace the retrospective draft's text.",
    payload: z.object({ text: z.string().trim().min(1, 'the retrospective needs text').max(MAX_RETROSPECTIVE_LENGTH), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      requireRetrospective(state, 'edit');
    },
    apply(state, { text, actor }) {
      state.retrospective!.text = text;
      state.retrospective!.editedBy = actor;
      state.revision += 1;
    },
  }),

  publishRetrospective: define({
    summary: 'Publish the retrospective (optionally with final text): it is posted in the channel and reminders stop.',
    payload: z.object({ text: z.string().trim().min(1).max(MAX_RETROSPECTIVE_LENGTH).optional(), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      requireRetrospective(state, 'publish');
    },
    apply(state, { text, actor }, now) {
      const retro = state.retrospective!;
      if (text) retro.text = text;
      retro.status = 'published';
      retro.publishedAt = now;
      retro.publishedBy = actor;
      state.followUps.push({ id: 'publishRetrospective-1', kind: 'publishRetrospective', status: 'pending' });
      recordEvent(state, now, 'retrospective_published', actor, `@${actor} published the retrospective`);
    },
  }),

  declineRetrospective: define({
    summary: 'Decide this incident needs no retrospective (with the reason); reminders stop.',
    payload: z.object({ reason: z.string().trim().min(1, 'say why no retrospective is needed').max(1000), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      requireRetrospective(state, 'decline');
    },
    apply(state, { reason, actor }, now) {
      state.retrospective!.status = 'declined';
      state.retrospective!.declinedReason = reason;
      recordEvent(state, now, 'retrospective_declined', actor, `@${actor} declined the retrospective: ${reason}`, { reason });
    },
  }),

  exportPostmortem: define({
    summary: "Export the post-mortem (conversation, timeline, checklists, updates, metrics) and upload it to the channel.",
    payload: z.object({
      formats: z
        .array(z.enum(['markdown', 'json', 'csv'], { error: 'expected markdown, json or csv' }))
        .min(1)
        .max(3)
        .default(['markdown', 'json', 'csv'])
        .transform((formats) => [...new Set(formats)]),
      actor: actorSchema,
    }),
    check(state) {
      refuseWhenClosed(state);
      if (state.launch.channel.status !== 'done') throw new IncidentCommandError('conflict', `incident ${state.id} has no channel to export`);
      if (state.followUps.some((f) => f.kind === 'exportPostmortem' && f.status === 'pending')) {
        throw new IncidentCommandError('conflict', 'an export is already being made; it will be posted in the channel');
      }
    },
    apply(state, { formats, actor }, now) {
      // The request's place in the timeline names the export: never reused, even after old follow-ups are pruned.
      const event = recordEvent(state, now, 'note', actor, `@${actor} asked for a post-mortem export (${formats.join(', ')})`);
      state.followUps.push({ id: `exportPostmortem-${event.seq}`, kind: 'exportPostmortem', status: 'pending', requestedBy: actor, formats });
    },
  }),
};

function requireRetrospective(state: IncidentState, action: string): void {
  const retro = state.retrospective;
  if (!retro) {
    throw new IncidentCommandError(
      'conflict',
      state.playbook.retrospective?.enabled
        ? `incident ${state.id} has no retrospective yet; it is drafted when the incident is resolved`
        : `the playbook "${state.playbook.title}" asks for no retrospective`,
    );
  }
  if (retro.status !== 'draft') throw new IncidentCommandError('conflict', `cannot ${action} the retrospective: it was already ${retro.status}`);
}
