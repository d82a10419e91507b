// The order of the command registry is part of the workflow's behaviour: the workflow registers an Update handler per
// command in COMMAND_NAMES order, and recorded histories replay against that order. The definitions live in several
// modules (domain/commands/), so this pins the order the registry lists them in.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commands } from '../../domain/commands.js';

describe('command registry', () => {
  it('lists the 23 commands in the order the workflow has always registered them', () => {
    expect(COMMAND_NAMES).toEqual([
      'acknowledge',
      'completeTask',
      'reopenTask',
      'skipTask',
      'assignTask',
      'addTask',
      'changeCommander',
      'setSeverity',
      'addNote',
      'resolve',
      'reopen',
      'close',
      'recordTaskCommandRun',
      'postStatusUpdate',
      'runTaskAction',
      'snoozeStatusReminder',
      'editRetrospective',
      'publishRetrospective',
      'declineRetrospective',
      'exportPostmortem',
      'recordAlerts',
      'retryIntegration',
      'recordAlertBatch',
    ]);
  });

  it('maps every name to a complete definition', () => {
    for (const name of COMMAND_NAMES) {
      const definition = commands[name];
      expect(definition.summary, name).not.toBe('');
      expect(typeof definition.check, name).toBe('function');
      expect(typeof definition.apply, name).toBe('function');
    }
  });
});
