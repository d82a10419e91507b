/**
 * The checklist the channel's activity draws once it knows who is on call (incident-v19): the roles the playbook gives
 * the on-call, applied to a draft of the incident, must draw the post the workflow's own state draws after
 * giveOnCallRoles, or the post would be drawn a second time right after the launch (the workflow tests check that it
 * is not: test/workflow/checklist-with-channel.test.ts, launch-lean.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { checklistDraft, withOnCallRoles } from '../../domain/checklist-draft.js';
import { createIncidentState, type IncidentState } from '../../domain/incident.js';
import { parseNewIncident } from '../../domain/new-incident.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { onCallCommands } from '../../workflows/launch-step.js';

const playbook = (extra: Partial<PlaybookDefinition> = {}): PlaybookDefinition => ({
  id: 'on-call',
  title: 'On call',
  checklists: [
    {
      id: 'triage',
      title: 'Triage',
      tasks: [
        { id: 'ack', title: 'Acknowledge', assigneeRole: 'oncall' },
        { id: 'impact', title: 'Assess impact', assignee: 'carol' },
        { id: 'comms', title: 'Tell support', assigneeRole: 'oncall' },
      ],
    },
  ],
  ...extra,
});

function newState(book: PlaybookDefinition): IncidentState {
  return createIncidentState(parseNewIncident({ id: 'inc-9', number: 9, name: 'Checkout down', team: 'shop', reporter: 'alice', playbook: book }), '2026-03-01T10:00:00.000Z');
}

describe('the checklist drawn with the on-call', () => {
  it("gives the on-call their unassigned tasks, and leaves the others' alone", () => {
    const state = newState(playbook());
    // Taken by someone before the on-call was known (a command in the launch's first moments).
    state.checklists[0]!.tasks[2]!.assignee = 'dave';
    const drawn = withOnCallRoles(checklistDraft(state), 'oscar', false);
    expect(drawn.checklists[0]!.tasks.map((task) => task.assignee)).toEqual(['oscar', 'carol', 'dave']);
    expect(drawn.commander).toBe('alice');
  });

  it('makes the on-call the commander only when told to', () => {
    const state = newState(playbook({ defaultCommander: 'oncall' }));
    expect(onCallCommands(state)).toBe(true);
    expect(withOnCallRoles(checklistDraft(state), 'oscar', true).commander).toBe('oscar');
    expect(withOnCallRoles(checklistDraft(state), 'oscar', false).commander).toBe('alice');
  });

  it('changes nothing when nobody is on call, and never the state it was drawn from', () => {
    const state = newState(playbook({ defaultCommander: 'oncall' }));
    const draft = checklistDraft(state);
    expect(withOnCallRoles(draft, undefined, true)).toBe(draft);
    withOnCallRoles(draft, 'oscar', true);
    expect(state.checklists[0]!.tasks[0]!.assignee).toBeUndefined();
    expect(state.commander).toBe('alice');
  });
});
