/**
 * The incident workflow's message definitions. Each command of domain/commands.ts exists twice under the same name: an
 * Update (validated, answers with a small CommandResult or a failure naming the problem) and a Signal (fire-and-forget,
 * for monitoring, scripts and `temporal workflow signal`). Clients import these to send typed messages.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { COMMAND_NAMES, type CommandInput, type CommandName } from '../domain/commands.js';
import type { ChecklistPost } from '../formats/checklist-message.js';
import type { CommandResult } from '../domain/command-result.js';
import type { IncidentProjection } from '../domain/incident-view.js';
import type { IncidentView } from '../domain/incident.js';

export const INCIDENT_WORKFLOW_TYPE = 'incident';

export const incidentViewQuery = defineQuery<IncidentView>('incidentView');

/**
 * What the store's projection reads: the view without its timeline, and the timeline events after `afterSeq` (at most
 * `limit`). A query, so that none of it is written into the workflow's history as activity input.
 */
export const incidentProjectionQuery = defineQuery<IncidentProjection, [{ afterSeq: number; limit: number }]>('incidentProjection');

/**
 * The pinned checklist post as the incident renders it now: what the checklist activities draw. A query, so that the
 * post (a few KB, every task and menu) is not written into the workflow's history as their input at every redraw.
 */
export const checklistPostQuery = defineQuery<ChecklistPost>('checklistPost');

/**
 * An Update's answer: a CommandResult, or the whole view from runs started before the history budget (they answer as
 * they always did until they continue as new). toCommandResult makes either a CommandResult.
 */
export type CommandAnswer = CommandResult | IncidentView;

type UpdateDefinitions = { [N in CommandName]: ReturnType<typeof defineUpdate<CommandAnswer, [CommandInput<N>]>> };
type SignalDefinitions = { [N in CommandName]: ReturnType<typeof defineSignal<[CommandInput<N>]>> };

export const commandUpdates = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, defineUpdate<CommandAnswer, [unknown]>(name)]),
) as unknown as UpdateDefinitions;

export const commandSignals = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, defineSignal<[unknown]>(name)]),
) as unknown as SignalDefinitions;

/**
 * "Someone joined or left the channel": sent by the API when Mattermost's websocket says so, so that the incident looks
 * at its members now (welcome, sidebar, timeline) instead of at its next periodic look. Carries nothing: the workflow
 * asks Mattermost who is there, it never takes a list from the sender.
 */
export const membersChangedSignal = defineSignal('membersChanged');

/** Temporal workflow ID of an incident. */
export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}
