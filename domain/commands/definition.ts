/**
 * What every incident command is made of (payload schema, check, apply) and the helpers the command groups share: state
 * checks that refuse a command, and the status change every lifecycle transition records.
 */
import { z } from 'zod';
import { IncidentCommandError } from '../errors.js';
import { recordEvent } from '../timeline.js';
import type { IncidentState, IncidentStatus } from '../incident.js';

export interface CommandDefinition<Schema extends z.ZodType> {
  /** One line for help texts and docs. */
  summary: string;
  payload: Schema;
  /** Throws IncidentCommandError when the state does not allow the command. Must not change the state. */
  check(state: IncidentState, payload: z.output<Schema>): void;
  apply(state: IncidentState, payload: z.output<Schema>, now: string): void;
}

export function define<Schema extends z.ZodType>(definition: CommandDefinition<Schema>): CommandDefinition<Schema> {
  return definition;
}

export const taskRef = z.string().trim().min(1, 'name the task by its number (like 1.2) or its ID').max(64);

export function refuseWhenClosed(state: IncidentState): void {
  if (state.status === 'closed') {
    throw new IncidentCommandError('conflict', `incident ${state.id} is closed; nothing can change any more`);
  }
}

/** Refuses unless the status is one of `allowed`; `hints` say what to do instead, per current status. */
export function requireStatus(
  state: IncidentState,
  allowed: IncidentStatus[],
  action: string,
  hints: Partial<Record<IncidentStatus, string>> = {},
): void {
  refuseWhenClosed(state);
  if (!allowed.includes(state.status)) {
    const hint = hints[state.status];
    throw new IncidentCommandError(
      'conflict',
      `cannot ${action} incident ${state.id}: it is ${state.status}${hint ? `; ${hint}` : ''}`,
    );
  }
}

export function changeStatus(state: IncidentState, to: IncidentStatus, actor: string, now: string, why = ''): void {
  const from = state.status;
  state.status = to;
  recordEvent(state, now, 'status_changed', actor, `@${actor} changed the status from ${from} to ${to}${why}`, {
    from,
    to,
  });
}

export function acknowledgeIfReported(state: IncidentState, actor: string, now: string, why: string): void {
  if (state.status !== 'reported') return;
  state.acknowledgedAt = now;
  changeStatus(state, 'active', actor, now, why);
}
