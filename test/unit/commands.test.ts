import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, executeCommand, validateCommand } from '../../domain/commands.js';
import { createIncidentState, type IncidentState } from '../../domain/incident.js';
import { incidentView } from '../../domain/incident-view.js';
import { checkIncidentStart, parseNewIncident, prepareIncidentStart } from '../../domain/new-incident.js';
import { testPlaybook } from '../helpers/temporal.js';
import { refusal } from '../helpers/refusal.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:05:00.000Z';
const T2 = '2026-01-01T01:00:00.000Z';

function newState(overrides: Record<string, unknown> = {}): IncidentState {
  return createIncidentState(
    parseNewIncident({ id: 'inc-1', name: 'Checkout is down', team: 'shop', reporter: 'alice', playbook: testPlaybook, ...overrides }),
    T0,
  );
}


describe('incident commands', () => {
  it('starts reported, commanded by the reporter, with every task open', () => {
    const state = newState();
    expect(state.status).toBe('reported');
    expect(state.commander).toBe('alice');
    expect(state.severity).toBe('sev2');
    expect(state.checklists.flatMap((c) => c.tasks.map((t) => t.state))).toEqual(['open', 'open', 'open']);
    expect(state.checklists[0]!.tasks[1]!.assignee).toBe('carol');
    expect(state.timeline.map((e) => e.kind)).toEqual(['incident_reported']);
  });

  it('walks the status machine reported → active → resolved → active → resolved → closed', () => {
    const state = newState();
    executeCommand(state, 'acknowledge', { actor: 'bob' }, T1);
    expect(state).toMatchObject({ status: 'active', acknowledgedAt: T1 });
    executeCommand(state, 'resolve', { actor: 'bob', summary: 'rolled back' }, T2);
    expect(state).toMatchObject({ status: 'resolved', resolvedAt: T2, summary: 'rolled back' });
    executeCommand(state, 'reopen', { actor: 'bob', reason: 'errors are back' }, T2);
    expect(state.status).toBe('active');
    expect(state.resolvedAt).toBeUndefined();
    executeCommand(state, 'resolve', { actor: 'bob' }, T2);
    executeCommand(state, 'close', { actor: 'bob' }, T2);
    expect(state).toMatchObject({ status: 'closed', closedAt: T2 });
    const view = incidentView(state);
    expect(view.timeToAcknowledgeMs).toBe(5 * 60_000);
    expect(view.timeToResolveMs).toBe(60 * 60_000);
    expect(state.timeline.filter((e) => e.kind === 'status_changed').map((e) => e.data)).toEqual([
      { from: 'reported', to: 'active' },
      { from: 'active', to: 'resolved' },
      { from: 'resolved', to: 'active' },
      { from: 'active', to: 'resolved' },
      { from: 'resolved', to: 'closed' },
    ]);
  });

  it.each([
    ['resolve', 'reported', /acknowledge it first/],
    ['close', 'reported', /resolve it first/],
    ['reopen', 'reported', /only a resolved incident/],
  ] as const)('refuses %s while %s with a reason', (name, _status, reason) => {
    const state = newState();
    const error = refusal(() => executeCommand(state, name, { actor: 'bob' }, T1));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(reason);
    expect(state.status).toBe('reported');
  });

  it('refuses acknowledging twice', () => {
    const state = newState();
    executeCommand(state, 'acknowledge', {}, T1);
    expect(refusal(() => executeCommand(state, 'acknowledge', {}, T1)).message).toMatch(/already acknowledged/);
  });

  it('refuses every command once closed', () => {
    const state = newState();
    executeCommand(state, 'acknowledge', {}, T1);
    executeCommand(state, 'resolve', {}, T1);
    executeCommand(state, 'close', {}, T1);
    const payloads: Record<string, unknown> = {
      completeTask: { taskId: '1.1' },
      reopenTask: { taskId: '1.1' },
      skipTask: { taskId: '1.1' },
      assignTask: { taskId: '1.1', assignee: 'dave' },
      addTask: { checklist: '1', title: 'x' },
      changeCommander: { commander: 'dave' },
      setSeverity: { severity: 'sev1' },
      addNote: { text: 'late note' },
      retryIntegration: { step: 'ticket' },
      recordAlerts: { source: 'generic', groupKey: 'k', status: 'firing', alerts: [] },
      recordAlertBatch: { deliveries: [{ source: 'generic', groupKey: 'k', status: 'firing', alerts: [] }] },
      postStatusUpdate: { message: 'still down' },
      recordTaskCommandRun: { taskId: '2.1', command: '/deploy rollback', outcome: 'ran' },
      snoozeStatusReminder: { for: '30m' },
      runTaskAction: { taskId: '1.1' },
      editRetrospective: { text: 'late words' },
      declineRetrospective: { reason: 'no need' },
    };
    for (const name of COMMAND_NAMES) {
      const error = refusal(() => executeCommand(state, name, payloads[name] ?? {}, T2));
      expect(error.code, name).toBe('conflict');
      expect(error.message, name).toMatch(/closed/);
    }
  });

  it('completes, reopens and skips tasks named by number or by ID', () => {
    const state = newState();
    executeCommand(state, 'completeTask', { taskId: '1.1', actor: '@Bob' }, T1);
    expect(state.checklists[0]!.tasks[0]).toMatchObject({ state: 'done', stateChangedBy: 'bob', stateChangedAt: T1 });
    executeCommand(state, 'reopenTask', { taskId: 'ack' }, T1);
    expect(state.checklists[0]!.tasks[0]!.state).toBe('open');
    executeCommand(state, 'skipTask', { taskId: '2.1', reason: 'nothing to roll back' }, T1);
    expect(state.checklists[1]!.tasks[0]!.state).toBe('skipped');
    expect(state.timeline.at(-1)!.text).toContain('nothing to roll back');
  });

  it('refuses task changes that make no sense, naming the task', () => {
    const state = newState();
    executeCommand(state, 'completeTask', { taskId: '1.1' }, T1);
    expect(refusal(() => executeCommand(state, 'completeTask', { taskId: '1.1' }, T1)).message).toBe(
      'task 1.1 "Acknowledge" is already done',
    );
    expect(refusal(() => executeCommand(state, 'reopenTask', { taskId: '1.2' }, T1)).message).toMatch(/not done or skipped/);
    expect(refusal(() => executeCommand(state, 'skipTask', { taskId: 'ack' }, T1)).message).toMatch(/already done/);
  });

  it('answers an unknown task with not_found and the numbering that exists', () => {
    const state = newState();
    const byNumber = refusal(() => executeCommand(state, 'completeTask', { taskId: '3.1' }, T1));
    expect(byNumber.code).toBe('not_found');
    expect(byNumber.message).toBe('task 3.1 does not exist: checklist 1 has 2 task(s), checklist 2 has 1 task(s)');
    const byId = refusal(() => executeCommand(state, 'completeTask', { taskId: 'nope' }, T1));
    expect(byId.code).toBe('not_found');
    expect(byId.message).toMatch(/no task "nope"/);
  });

  it('assigns and unassigns, adding the assignee to the participants', () => {
    const state = newState();
    executeCommand(state, 'assignTask', { taskId: '1.1', assignee: '@dave', actor: 'alice' }, T1);
    expect(state.checklists[0]!.tasks[0]!.assignee).toBe('dave');
    expect(state.participants).toContain('dave');
    expect(refusal(() => executeCommand(state, 'assignTask', { taskId: '1.1', assignee: 'dave' }, T1)).message).toMatch(
      /already assigned to @dave/,
    );
    executeCommand(state, 'assignTask', { taskId: '1.1', assignee: null }, T1);
    expect(state.checklists[0]!.tasks[0]!.assignee).toBeUndefined();
  });

  it('adds tasks with fresh IDs to a checklist named by number, ID or title', () => {
    const state = newState();
    executeCommand(state, 'addTask', { checklist: '2', title: 'Page the DBA' }, T1);
    executeCommand(state, 'addTask', { checklist: 'Triage', title: 'Tell support', command: '/status post' }, T1);
    expect(state.checklists[1]!.tasks.map((t) => t.id)).toEqual(['rollback', 'added-1']);
    expect(state.checklists[0]!.tasks[2]).toMatchObject({ id: 'added-2', title: 'Tell support', command: '/status post', state: 'open' });
    expect(refusal(() => executeCommand(state, 'addTask', { checklist: '9', title: 'x' }, T1)).code).toBe('not_found');
  });

  it('hands over the commander role, which also acknowledges a reported incident', () => {
    const state = newState();
    executeCommand(state, 'changeCommander', { commander: 'bob', actor: 'alice' }, T1);
    expect(state).toMatchObject({ commander: 'bob', status: 'active', acknowledgedAt: T1 });
    expect(refusal(() => executeCommand(state, 'changeCommander', { commander: 'bob' }, T1)).message).toMatch(
      /already the commander/,
    );
  });

  it("sets the severity only to one of the playbook's levels", () => {
    const state = newState();
    executeCommand(state, 'setSeverity', { severity: 'SEV1' }, T1);
    expect(state.severity).toBe('sev1');
    const error = refusal(() => executeCommand(state, 'setSeverity', { severity: 'sev9' }, T1));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('severity "sev9" is not one of sev1, sev2, sev3');
  });

  it('rejects malformed payloads with every problem and its field', () => {
    const state = newState();
    const error = refusal(() => validateCommand(state, 'assignTask', { taskId: '', assignee: 'no spaces allowed' }));
    expect(error.code).toBe('invalid_input');
    expect(error.problems).toEqual([
      'taskId: name the task by its number (like 1.2) or its ID',
      'assignee: expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_")',
    ]);
    expect(refusal(() => validateCommand(state, 'addNote', { text: '   ' })).problems).toEqual(['text: a note needs text']);
  });

  it('validation never changes the state', () => {
    const state = newState();
    const before = JSON.stringify(state);
    validateCommand(state, 'completeTask', { taskId: '1.1' });
    refusal(() => validateCommand(state, 'resolve', {}));
    expect(JSON.stringify(state)).toBe(before);
  });

  it('bumps the revision on every accepted change', () => {
    const state = newState();
    const r0 = state.revision;
    executeCommand(state, 'addNote', { text: 'one' }, T1);
    executeCommand(state, 'addNote', { text: 'two' }, T1);
    expect(state.revision).toBe(r0 + 2);
  });
});

describe('the start snapshot the workflow receives', () => {
  it('is validated and snapshotted by the client, and only its shape is checked by the workflow', () => {
    const start = prepareIncidentStart({ id: 'snap-1', name: 'DB down', team: 'shop', reporter: 'alice', playbook: { id: 'p', title: 'P' } });
    expect(start).toMatchObject({ schemaVersion: 1, id: 'snap-1', playbook: { id: 'p', severities: expect.any(Array) } });
    expect(checkIncidentStart(JSON.parse(JSON.stringify(start)))).toEqual(start);
    // A hand-written start with the raw playbook and no version: every problem named, nothing started.
    expect(() => checkIncidentStart({ id: 'snap-2', name: '', team: 'shop', reporter: 'alice', playbook: { id: 'p' } })).toThrow(
      /invalid incident start: schemaVersion: expected 1; name: expected a non-empty string; playbook.checklists: expected a list; playbook.severities: expected a list; playbook.channel: expected an object/,
    );
    expect(() => checkIncidentStart('not a start')).toThrow(/schemaVersion: expected 1; id: expected a non-empty string/);
  });
});

describe('starting an incident', () => {
  it('rejects a start request with every problem named', () => {
    const error = refusal(() => parseNewIncident({ id: 'X', name: '', team: 'shop', reporter: 'a b', playbook: testPlaybook }));
    expect(error.code).toBe('invalid_input');
    expect(error.problems).toEqual([
      'id: expected 3 to 48 lower-case letters, digits or "-", starting with a letter or digit',
      'name: an incident needs a name',
      'reporter: expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_")',
    ]);
  });

  it("rejects a severity the playbook does not know", () => {
    const error = refusal(() =>
      parseNewIncident({ id: 'inc-1', name: 'x', team: 'shop', reporter: 'alice', severity: 'sev7', playbook: testPlaybook }),
    );
    expect(error.problems).toEqual(['severity: expected one of sev1, sev2, sev3']);
  });
});

describe('what the playbook decides at start', () => {
  const playbook = {
    id: 'roles',
    title: 'Roles',
    defaultCommander: '@bob',
    invitees: { users: ['dave'] },
    checklists: [
      {
        id: 'c',
        title: 'C',
        tasks: [
          { id: 'a', title: 'Commander task', assigneeRole: 'commander', due: '30m' },
          { id: 'b', title: 'Reporter task', assigneeRole: 'reporter' },
          { id: 'o', title: 'On-call task', assigneeRole: 'oncall' },
          { id: 'e', title: 'Erin task', assignee: 'erin' },
        ],
      },
    ],
  };

  it('makes the default commander command, invites invitees and assignees, fills role assignees and due times', () => {
    const state = createIncidentState(parseNewIncident({ id: 'inc-2', name: 'x', team: 'shop', reporter: 'alice', playbook }), T0);
    expect(state.commander).toBe('bob');
    expect(state.participants).toEqual(['alice', 'bob', 'dave', 'erin']);
    const tasks = state.checklists[0]!.tasks;
    expect(tasks.map((t) => t.assignee ?? null)).toEqual(['bob', 'alice', null, 'erin']);
    expect(tasks[0]!.dueAt).toBe('2026-01-01T00:30:00.000Z');
    expect(tasks[2]!.assigneeRole).toBe('oncall');
  });

  it('lets the start request name the commander over the playbook', () => {
    const state = createIncidentState(parseNewIncident({ id: 'inc-3', name: 'x', team: 'shop', reporter: 'alice', commander: 'carol', playbook }), T0);
    expect(state.commander).toBe('carol');
    expect(state.checklists[0]!.tasks[0]!.assignee).toBe('carol');
  });
});
