/** The lifecycle's pure parts: reminders and their clock, retrospective drafts, membership diffs, timeline filters. */
import { describe, expect, it } from 'vitest';
import { executeCommand } from '../../domain/commands.js';
import { createIncidentState, type IncidentState } from '../../domain/incident.js';
import { incidentView } from '../../domain/incident-view.js';
import { rememberUpdateId, updateIdSeen } from '../../domain/update-ids.js';
import { renderChannelPurpose, renderStatusUpdateTemplate, renderWelcomeMessage } from '../../formats/incident-templates.js';
import { renderChannelHeader, renderChecklistPost } from '../../formats/checklist-message.js';
import { applyChannelMembers } from '../../domain/membership.js';
import { parseNewIncident } from '../../domain/new-incident.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { nextReminderAt, reminderMessage, scalePlaybookDurations, takeDueReminders } from '../../domain/reminders.js';
import { draftRetrospective } from '../../domain/retrospective.js';
import { parseSlashCommand } from '../../api/mattermost/slash-command-grammar.js';
import { filterTimeline, parseTimelineKinds } from '../../domain/timeline-filter.js';
import { refusal } from '../helpers/refusal.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

const playbook: PlaybookDefinition = {
  id: 'lifecycle',
  title: 'Lifecycle',
  severities: ['sev1', 'sev2'],
  channel: {
    headerTemplate: '{{severity}} | {{commander}} | ticket {{ticket}}',
    purposeTemplate: 'Incident {{seq}}: {{name}} ({{playbook}})',
  },
  welcomeMessage: 'Welcome to {{channel}}. {{commander}} leads; status is {{status}}.',
  statusUpdates: {
    reminder: '30m',
    template: 'Impact on {{name}}: ... (severity {{severity}})',
    broadcastChannels: ['announcements', 'sre'],
    webhooks: [
      { url: 'https://hooks.example.com/a', events: ['status-update', 'incident-resolved'] },
      { url: 'https://hooks.example.com/b', events: ['incident-started'] },
    ],
  },
  retrospective: { reminder: '1d' },
  archiveChannelOnClose: true,
  checklists: [
    {
      title: 'Triage',
      tasks: [
        { id: 'page', title: 'Page the owners', due: '20m', assignee: 'bob' },
        { id: 'scope', title: 'Scope the impact', due: '2h' },
        { id: 'later', title: 'No due date' },
      ],
    },
  ],
};

function newState(book: PlaybookDefinition = playbook): IncidentState {
  return createIncidentState(parseNewIncident({ id: 'inc-7', number: 7, name: 'Checkout down', team: 'shop', reporter: 'alice', playbook: book }), at(0));
}


describe('status-update reminders', () => {
  it('falls due an interval after the start, then again an interval after each reminder, and mentions the commander', () => {
    const state = newState();
    // Task warnings come first (5m before "page" is due at 20m); the status reminder is at 30m.
    expect(nextReminderAt(state)).toBe(T0 + 15 * 60_000);
    expect(takeDueReminders(state, at(29)).map((r) => r.kind)).toEqual(['taskOverdue']);
    const first = takeDueReminders(state, at(30));
    expect(first.map((r) => r.kind)).toContain('statusUpdate');
    const status = first.find((r) => r.kind === 'statusUpdate')!;
    expect(status.mention).toBe('alice');
    expect(status.text).toMatch(/^a status update is due: none was posted since the incident was reported 30m ago \(the playbook asks for one every 30m\)/);
    // Sent once: the same moment yields nothing more.
    expect(takeDueReminders(state, at(30)).filter((r) => r.kind === 'statusUpdate')).toEqual([]);
    expect(takeDueReminders(state, at(59)).filter((r) => r.kind === 'statusUpdate')).toEqual([]);
    const second = takeDueReminders(state, at(60)).find((r) => r.kind === 'statusUpdate')!;
    expect(second.text).toMatch(/^a status update is overdue/);
    expect(state.timeline.filter((e) => e.kind === 'reminder_sent' && e.data?.reminder === 'statusUpdate')).toHaveLength(2);
  });

  it('is reset by an update and moved by a snooze, which the next update ends', () => {
    const state = newState();
    executeCommand(state, 'postStatusUpdate', { message: 'investigating', actor: 'alice' }, at(10));
    expect(statusDue(state)).toBe(T0 + 40 * 60_000);
    executeCommand(state, 'snoozeStatusReminder', { for: '1h', actor: 'alice' }, at(12));
    expect(statusDue(state)).toBe(T0 + 72 * 60_000);
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'reminder_snoozed', actor: 'alice' });
    executeCommand(state, 'postStatusUpdate', { message: 'mitigated', actor: 'alice' }, at(20));
    expect(statusDue(state)).toBe(T0 + 50 * 60_000);
  });

  it('refuses a snooze without reminders, out of bounds, or once resolved', () => {
    const state = newState();
    expect(refusal(() => executeCommand(state, 'snoozeStatusReminder', { for: 'soon', actor: 'alice' }, at(1))).message).toMatch(/expected a duration like "30m"/);
    expect(refusal(() => executeCommand(state, 'snoozeStatusReminder', { for: '8d', actor: 'alice' }, at(1))).message).toMatch(/between 1m and 7d/);
    const quiet = newState({ ...playbook, statusUpdates: {} });
    expect(refusal(() => executeCommand(quiet, 'snoozeStatusReminder', { for: '1h', actor: 'alice' }, at(1))).message).toMatch(/sets no status-update reminder/);
    executeCommand(state, 'acknowledge', { actor: 'alice' }, at(2));
    executeCommand(state, 'resolve', { actor: 'alice' }, at(3));
    expect(refusal(() => executeCommand(state, 'snoozeStatusReminder', { for: '1h', actor: 'alice' }, at(4))).code).toBe('conflict');
  });

  it('stops when resolved and restarts its clock on reopen', () => {
    const state = newState();
    executeCommand(state, 'acknowledge', { actor: 'alice' }, at(1));
    executeCommand(state, 'resolve', { actor: 'alice' }, at(5));
    expect(takeDueReminders(state, at(300)).filter((r) => r.kind === 'statusUpdate')).toEqual([]);
    executeCommand(state, 'reopen', { actor: 'alice' }, at(400));
    expect(statusDue(state)).toBe(T0 + 430 * 60_000);
  });

  it('shortens every playbook duration by the test scale', () => {
    const scaled = scalePlaybookDurations(parseNewIncident({ id: 'inc-8', name: 'x', team: 'shop', reporter: 'alice', playbook }).playbook, 60);
    expect(scaled.statusUpdates?.reminderIntervalMs).toBe(30_000);
    expect(scaled.checklists[0]!.tasks[0]!.dueAfterMs).toBe(20_000);
    expect(scaled.retrospective?.reminderIntervalMs).toBe(24 * 60_000);
  });
});

function statusDue(state: IncidentState): number | undefined {
  const copy = structuredClone(state);
  // Only the status clock: drop the tasks' due times from the copy.
  copy.checklists.forEach((c) => c.tasks.forEach((t) => delete t.dueAt));
  return nextReminderAt(copy);
}

describe('task due reminders', () => {
  it('warns the assignee before the due time, then marks the task overdue at it, once each', () => {
    const state = newState();
    expect(state.checklists[0]!.tasks.map((t) => t.dueAt)).toEqual([at(20), at(120), undefined]);
    const early = takeDueReminders(state, at(15));
    expect(early).toEqual([expect.objectContaining({ kind: 'taskDueSoon', mention: 'bob', taskId: 'page' })]);
    expect(early[0]!.text).toBe('task 1.1 "Page the owners" is due in 5m, at 10:20 UTC.');
    expect(takeDueReminders(state, at(16))).toEqual([]);
    const before = renderChecklistPost(state).revision;
    const due = takeDueReminders(state, at(20));
    expect(due).toEqual([expect.objectContaining({ kind: 'taskOverdue', mention: 'bob' })]);
    expect(state.checklists[0]!.tasks[0]!.reminded).toBe('due');
    const post = renderChecklistPost(state);
    expect(post.revision).not.toBe(before);
    expect(post.attachments[0]!.text).toContain(':rotating_light: **overdue** since 10:20 UTC');
    expect(reminderMessage(due)).toBe(':alarm_clock: @bob, task 1.1 "Page the owners" is overdue: it was due at 10:20 UTC.');
  });

  it('reminds the commander of an unassigned task, and says so; a task done in time gets nothing', () => {
    const state = newState();
    executeCommand(state, 'completeTask', { taskId: 'page', actor: 'bob' }, at(5));
    const reminders = takeDueReminders(state, at(106));
    expect(reminders.filter((r) => r.taskId)).toEqual([expect.objectContaining({ kind: 'taskDueSoon', mention: 'alice', taskId: 'scope' })]);
    expect(reminders.find((r) => r.taskId)!.text).toMatch(/unassigned, so this goes to the commander/);
  });
});

describe('status update fan-out and the resolution', () => {
  it('queues the channel post, one copy per broadcast channel and one delivery per interested webhook', () => {
    const state = newState();
    expect(state.followUps.map((f) => f.id)).toEqual(['deliverWebhook-incident-started-0-2']);
    executeCommand(state, 'postStatusUpdate', { message: 'DB failover running', actor: 'alice' }, at(5));
    expect(state.followUps.slice(1).map((f) => [f.kind, f.target ?? '', f.update])).toEqual([
      ['postStatusUpdate', '', 1],
      ['broadcastStatusUpdate', 'announcements', 1],
      ['broadcastStatusUpdate', 'sre', 1],
      ['deliverWebhook', 'https://hooks.example.com/a', 1],
    ]);
    expect(state.status).toBe('active');
  });

  it('refuses updates when the playbook turns them off', () => {
    const state = newState({ ...playbook, statusUpdates: { enabled: false } });
    expect(refusal(() => executeCommand(state, 'postStatusUpdate', { message: 'x', actor: 'alice' }, at(1))).message).toMatch(/turns status updates off/);
  });

  it('drafts the retrospective on the first resolution, tells resolved-webhooks, and archives on close', () => {
    const state = newState();
    executeCommand(state, 'postStatusUpdate', { message: 'rolling back', actor: 'alice' }, at(5));
    executeCommand(state, 'completeTask', { taskId: 'page', actor: 'bob' }, at(6));
    executeCommand(state, 'skipTask', { taskId: 'scope', reason: 'obvious', actor: 'alice' }, at(7));
    executeCommand(state, 'resolve', { actor: 'alice', summary: 'A bad deploy broke checkout.' }, at(45));
    expect(state.followUps.filter((f) => f.event === 'incident-resolved').map((f) => f.target)).toEqual(['https://hooks.example.com/a']);
    const retro = state.retrospective!;
    expect(retro).toMatchObject({ status: 'draft', draftedAt: at(45), reminders: 0 });
    expect(retro.text).toContain('## Retrospective: Checkout down');
    expect(retro.text).toContain('A bad deploy broke checkout.');
    expect(retro.text).toContain('- Time to acknowledge: 5m');
    expect(retro.text).toContain('- Time to resolve: 45m');
    expect(retro.text).toContain('- [x] 1.1 Page the owners: done by @bob');
    expect(retro.text).toContain('- [-] 1.2 Scope the impact: skipped by @alice');
    expect(retro.text).toContain('@alice posted status update 1: rolling back');
    expect(retro.text).not.toContain('{{');
    // Reminded a day later (the playbook's interval), then every day, until published.
    expect(nextReminderAt(state)).toBe(Date.parse(at(45)) + 24 * 3_600_000);
    expect(takeDueReminders(state, at(45 + 24 * 60)).map((r) => r.kind)).toEqual(['retrospective']);
    executeCommand(state, 'editRetrospective', { text: 'Final words.', actor: 'alice' }, at(2000));
    executeCommand(state, 'publishRetrospective', { actor: 'alice' }, at(2001));
    expect(state.retrospective).toMatchObject({ status: 'published', text: 'Final words.', publishedBy: 'alice' });
    expect(state.followUps.at(-1)).toMatchObject({ kind: 'publishRetrospective', status: 'pending' });
    expect(nextReminderAt(state)).toBeUndefined();
    expect(refusal(() => executeCommand(state, 'declineRetrospective', { reason: 'x', actor: 'alice' }, at(2002))).message).toMatch(/already published/);
    executeCommand(state, 'close', { actor: 'alice' }, at(2003));
    expect(state.followUps.at(-1)).toMatchObject({ kind: 'archiveChannel', status: 'pending' });
  });

  it('uses the playbook template for the draft, and reminds once when the playbook sets no interval', () => {
    const state = newState({ ...playbook, retrospective: { template: '# {{name}} ({{seq}})\n{{metrics}}' } });
    executeCommand(state, 'acknowledge', { actor: 'alice' }, at(1));
    executeCommand(state, 'resolve', { actor: 'alice' }, at(2));
    expect(state.retrospective!.text).toMatch(/^# Checkout down \(7\)\n- Reported: 2026-03-01 10:00 UTC/);
    expect(takeDueReminders(state, at(2 + 24 * 60)).map((r) => r.kind)).toEqual(['retrospective']);
    expect(nextReminderAt(state)).toBeUndefined();
  });

  it('keeps state small: a draft is never longer than one Mattermost post', () => {
    const state = newState({ ...playbook, retrospective: { template: '{{timeline}}' } });
    for (let i = 0; i < 400; i++) executeCommand(state, 'addNote', { text: `note ${i} ${'x'.repeat(200)}`, actor: 'alice' }, at(1));
    expect(draftRetrospective(state, at(2)).length).toBeLessThanOrEqual(15_000);
  });
});

describe('task actions', () => {
  const withActions: PlaybookDefinition = {
    ...playbook,
    zoom: { enabled: false },
    checklists: [
      {
        title: 'Act',
        tasks: [
          { id: 'bridge', title: 'Open a bridge', action: { type: 'start-meeting' } },
          { id: 'update', title: 'Tell customers', action: { type: 'post-status-update' } },
          { id: 'plain', title: 'Think' },
        ],
      },
    ],
  };

  it('runs the launch step of the same name, once, and offers the task in the Run menu', () => {
    const book = { ...withActions, zoom: { enabled: true } };
    const state = newState(book);
    // The launch leaves the meeting to the task.
    expect(state.launch.meeting.status).toBe('skipped');
    const menu = renderChecklistPost(state).attachments.at(-1)!.actions.find((a) => a.intent === 'run')!;
    expect(menu.options!.map((o) => o.text)).toEqual(['1.1 Start the Zoom meeting (Open a bridge)', '1.2 Post a status update (Tell customers)']);
    executeCommand(state, 'runTaskAction', { taskId: '1.1', actor: 'bob' }, at(1));
    expect(state.launch.meeting.status).toBe('pending');
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'command_run', actor: 'bob', text: "@bob ran task 1.1's action: start-meeting" });
    expect(refusal(() => executeCommand(state, 'runTaskAction', { taskId: '1.1', actor: 'bob' }, at(2))).message).toMatch(/under way/);
    state.launch.meeting = { status: 'done' };
    state.links.meetingUrl = 'https://zoom.example/j/1';
    expect(refusal(() => executeCommand(state, 'runTaskAction', { taskId: '1.1', actor: 'bob' }, at(3))).message).toBe(
      'the meeting was started already (https://zoom.example/j/1)',
    );
  });

  it('refuses a task without an action, and sends status updates to the dialog', () => {
    const state = newState({ ...withActions, zoom: { enabled: true } });
    expect(refusal(() => executeCommand(state, 'runTaskAction', { taskId: 'plain', actor: 'bob' }, at(1))).message).toMatch(/has no built-in action/);
    expect(refusal(() => executeCommand(state, 'runTaskAction', { taskId: 'update', actor: 'bob' }, at(1))).message).toMatch(/post one with \/incident update/);
  });
});

describe('templates', () => {
  it('fills the header, purpose, welcome message and status template from the incident', () => {
    const state = newState();
    state.links.channelName = 'incident-7-checkout-down';
    expect(renderChannelHeader(state)).toBe('sev2 | @alice | ticket none');
    expect(renderChannelPurpose(state)).toBe('Incident 7: Checkout down (Lifecycle)');
    expect(renderWelcomeMessage(state)).toBe('Welcome to ~incident-7-checkout-down. @alice leads; status is reported.');
    expect(renderStatusUpdateTemplate(state)).toBe('Impact on Checkout down: ... (severity sev2)');
  });
});

describe('membership', () => {
  it('takes the first look as the baseline, then records joins (welcome, sidebar) and leaves', () => {
    const state = newState();
    state.launch.sidebar = { status: 'done' };
    expect(applyChannelMembers(state, ['incident-bot', 'alice', 'bob'], at(1))).toEqual({ joined: [], left: [] });
    expect(applyChannelMembers(state, ['incident-bot', 'alice', 'erin'], at(2))).toEqual({ joined: ['erin'], left: ['bob'] });
    expect(state.timeline.slice(-2).map((e) => [e.kind, e.actor])).toEqual([
      ['member_joined', 'erin'],
      ['member_left', 'bob'],
    ]);
    expect(state.participants).toContain('erin');
    expect(state.followUps.slice(-2).map((f) => [f.kind, f.target])).toEqual([
      ['welcomeMember', 'erin'],
      ['placeInSidebar', 'erin'],
    ]);
  });
});

describe('state size and secrets', () => {
  it('keeps the timeline under its text budget however long the notes are', () => {
    const state = newState();
    for (let i = 0; i < 200; i++) executeCommand(state, 'addNote', { text: `${i} ${'x'.repeat(3_990)}`, actor: 'alice' }, at(1));
    const text = state.timeline.reduce((sum, e) => sum + e.text.length, 0);
    expect(text).toBeLessThanOrEqual(300_000);
    expect(state.timelineDropped + state.timeline.length).toBe(201);
    expect(state.timeline.at(-1)!.text.startsWith('199 ')).toBe(true);
  });

  it('keeps what the store has not taken, within limits that still fit a continue-as-new payload', () => {
    const state = newState();
    // A store took the first events, then went away: nothing after them may be dropped until the hard limits.
    state.projectedTimelineSeq = state.timeline.length;
    for (let i = 0; i < 600; i++) executeCommand(state, 'addNote', { text: `${i} short`, actor: 'alice' }, at(1));
    // Past the usual 500: every unstored note is kept, only the stored events went.
    expect(state.timeline.length).toBe(600);
    expect(state.timeline[0]!.seq).toBe(state.projectedTimelineSeq + 1);
    // Long notes and the longest status updates, in three-byte characters: the oldest unstored events go, and the
    // state stays under continue-as-new's 2 MB payload limit with room to spare.
    executeCommand(state, 'acknowledge', { actor: 'alice' }, at(2));
    for (let i = 0; i < 60; i++) executeCommand(state, 'postStatusUpdate', { message: `${i} ${'€'.repeat(3_990)}`, actor: 'alice' }, at(2));
    for (let i = 0; i < 400; i++) executeCommand(state, 'addNote', { text: `${i} ${'€'.repeat(3_990)}`, actor: 'alice' }, at(3));
    // And as many remembered Update IDs as it keeps, each as long as an Idempotency-Key may be.
    for (let i = 0; i < 2_500; i++) rememberUpdateId(state, `${i}-`.padEnd(128, 'k'));
    expect(state.recentUpdateIds).toHaveLength(2_000);
    expect(updateIdSeen(state, `${2_499}-`.padEnd(128, 'k'))).toBe(true);
    expect(updateIdSeen(state, `${0}-`.padEnd(128, 'k'))).toBe(false);
    expect(state.timelineDropped).toBeGreaterThan(0);
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(1_800_000);
    expect(state.timeline.at(-1)!.text.startsWith('399 ')).toBe(true);
  });

  it("shows webhook URLs by host only in the view, and refuses the service's own settings as a webhook secret", () => {
    const state = newState({ ...playbook, statusUpdates: { webhooks: [{ url: 'https://hooks.slack.com/services/T0/B0/secret-path', events: ['incident-started'] }] } });
    const view = incidentView(state);
    expect(view.playbook.statusUpdates!.webhooks[0]!.url).toBe('https://hooks.slack.com/…');
    expect(view.followUps[0]!.target).toBe('https://hooks.slack.com/…');
    expect(state.followUps[0]!.target).toBe('https://hooks.slack.com/services/T0/B0/secret-path');
    const checked = validatePlaybook({ ...playbook, statusUpdates: { webhooks: [{ url: 'https://x.example.com/h', secretEnv: 'MATTERMOST_BOT_TOKEN' }] } });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems.map((p) => p.message)).toEqual([
      'a webhook secret\'s variable must start with "INCIDENT_WEBHOOK_SECRET_", like "INCIDENT_WEBHOOK_SECRET_OPS": the worker reads no other variables; got "MATTERMOST_BOT_TOKEN"',
    ]);
  });

  it('names each export by its request, so a later export never reuses an earlier one', () => {
    const state = newState();
    state.launch.channel = { status: 'done' };
    executeCommand(state, 'exportPostmortem', { actor: 'alice' }, at(1));
    state.followUps.at(-1)!.status = 'done';
    state.followUps = state.followUps.filter((f) => f.kind !== 'exportPostmortem');
    executeCommand(state, 'exportPostmortem', { actor: 'alice' }, at(2));
    const ids = state.timeline.filter((e) => e.text.includes('post-mortem export')).map((e) => `exportPostmortem-${e.seq}`);
    expect(ids[0]).not.toBe(ids[1]);
    expect(state.followUps.at(-1)!.id).toBe(ids[1]);
  });
});

describe('timeline filters', () => {
  it('accepts groups and exact kinds, and names what it accepts when a word is unknown', () => {
    expect(parseTimelineKinds(['updates', 'note'])).toEqual(['status_update_posted', 'note']);
    expect(() => parseTimelineKinds(['gossip'])).toThrow(/"gossip" is not a timeline kind; use one of status, updates, tasks/);
    const state = newState();
    executeCommand(state, 'addNote', { text: 'hello', actor: 'bob' }, at(1));
    executeCommand(state, 'postStatusUpdate', { message: 'update', actor: 'bob' }, at(2));
    expect(filterTimeline(state.timeline, parseTimelineKinds(['notes'])).map((e) => e.text)).toEqual(['hello']);
    expect(filterTimeline(state.timeline, []).length).toBe(state.timeline.length);
  });

  it('parses the new chat sub-commands', () => {
    expect(parseSlashCommand('timeline updates tasks')).toEqual({ kind: 'timeline', kinds: ['status_update_posted', 'task_state_changed', 'task_assigned', 'task_added'] });
    expect(parseSlashCommand('timeline')).toEqual({ kind: 'timeline', kinds: [] });
    expect(() => parseSlashCommand('timeline gossip')).toThrow(/not a timeline kind[\s\S]*Usage: `\/incident timeline/);
    expect(parseSlashCommand('snooze 1h 30m')).toEqual({ kind: 'snooze', for: '1h30m' });
    expect(() => parseSlashCommand('snooze later')).toThrow(/"later" is not a duration/);
    expect(parseSlashCommand('retro')).toEqual({ kind: 'retro', action: 'show' });
    expect(parseSlashCommand('retro decline a one-minute blip')).toEqual({ kind: 'retro', action: 'decline', reason: 'a one-minute blip' });
    expect(() => parseSlashCommand('retro decline')).toThrow(/say why/);
    expect(parseSlashCommand('export md csv')).toEqual({ kind: 'export', formats: ['markdown', 'csv'] });
    expect(parseSlashCommand('export')).toEqual({ kind: 'export', formats: ['markdown', 'json', 'csv'] });
    expect(() => parseSlashCommand('export pdf')).toThrow(/"pdf" is not an export format/);
  });
});
