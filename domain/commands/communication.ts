/**
 * Commands that tell people about the incident: notes on the timeline, status updates (posted, broadcast, sent to
 * webhooks) and snoozing the status-update reminder.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { IncidentCommandError } from '../errors.js';
import { enqueueWebhooks } from '../follow-ups.js';
import { actorSchema } from '../people.js';
import { recordEvent } from '../timeline.js';
import { acknowledgeIfReported, define, refuseWhenClosed, requireStatus } from './definition.js';

export const communicationCommands = {
  addNote: define({
    summary: 'Add a note to the timeline.',
    payload: z.object({
      text: z.string().trim().min(1, 'a note needs text').max(4000),
      /** The chat post the note was taken from. */
      link: z.url().max(2000).optional(),
      actor: actorSchema,
    }),
    check(state) {
      refuseWhenClosed(state);
    },
    apply(state, { text, link, actor }, now) {
      recordEvent(state, now, 'note', actor, text, link ? { link } : undefined);
    },
  }),

  postStatusUpdate: define({
    summary: 'Post a status update in the incident channel (acknowledges a reported incident).',
    payload: z.object({ message: z.string().trim().min(1, 'a status update needs a message').max(4000), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      if (state.playbook.statusUpdates?.enabled === false) {
        throw new IncidentCommandError('conflict', `the playbook "${state.playbook.title}" turns status updates off for this incident`);
      }
    },
    apply(state, { message, actor }, now) {
      state.statusUpdates ??= [];
      const number = (state.statusUpdates.at(-1)?.number ?? 0) + 1;
      state.statusUpdates.push({ number, at: now, author: actor, message });
      if (state.statusUpdates.length > 50) state.statusUpdates.splice(0, state.statusUpdates.length - 50);
      recordEvent(state, now, 'status_update_posted', actor, `@${actor} posted status update ${number}: ${message}`.slice(0, 4200), { number });
      state.followUps.push({ id: `postStatusUpdate-${number}`, kind: 'postStatusUpdate', status: 'pending', update: number });
      for (const channel of state.playbook.statusUpdates?.broadcastChannels ?? []) {
        state.followUps.push({ id: `broadcastStatusUpdate-${number}-${channel}`, kind: 'broadcastStatusUpdate', status: 'pending', update: number, target: channel });
      }
      enqueueWebhooks(state, 'status-update', number);
      // Each update resets the reminder clock and ends any snooze.
      state.statusReminder = { sent: 0 };
      acknowledgeIfReported(state, actor, now, ' (first status update)');
    },
  }),

  snoozeStatusReminder: define({
    summary: 'Hold the status-update reminder off for a while, e.g. "1h" (the next update resets it anyway).',
    payload: z.object({
      for: z.string().trim().refine((text) => parseDuration(text) !== undefined, { error: (issue) => `expected a duration like "30m" or "2h", got "${String(issue.input)}"` }),
      actor: actorSchema,
    }),
    check(state, { for: span }) {
      requireStatus(state, ['reported', 'active'], 'snooze the status-update reminder of', { resolved: 'a resolved incident sends no status-update reminders' });
      if (state.playbook.statusUpdates?.reminderIntervalMs === undefined || state.playbook.statusUpdates.enabled === false) {
        throw new IncidentCommandError('conflict', `the playbook "${state.playbook.title}" sets no status-update reminder; there is nothing to snooze`);
      }
      const millis = parseDuration(span)!;
      if (millis < 60_000 || millis > 7 * 24 * 60 * 60 * 1000) {
        throw new IncidentCommandError('invalid_input', `snooze for between 1m and 7d, not "${span}"`, [`for: expected between 1m and 7d, got "${span}"`]);
      }
    },
    apply(state, { for: span, actor }, now) {
      const until = new Date(Date.parse(now) + parseDuration(span)!).toISOString();
      state.statusReminder = { ...(state.statusReminder ?? { sent: 0 }), snoozedUntil: until };
      recordEvent(state, now, 'reminder_snoozed', actor, `@${actor} snoozed the status-update reminder for ${span} (until ${until.slice(11, 16)} UTC)`, { until });
    },
  }),
};
