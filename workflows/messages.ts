/**
 * The incident workflow's message definitions. Each command of domain/commands.ts exists twice under the same name: an
 * Update (validated, answers with the incident view or a failure naming the problem) and a Signal (fire-and-forget, for
 * monitoring, scripts and `temporal workflow signal`). Clients import these to send typed messages.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { COMMAND_NAMES, type CommandInput, type CommandName } from '../domain/commands.js';
import type { IncidentView } from '../domain/incident.js';

export const INCIDENT_WORKFLOW_TYPE = 'incident';

export const incidentViewQuery = defineQuery<IncidentView>('incidentView');

type UpdateDefinitions = { [N in CommandName]: ReturnType<typeof defineUpdate<IncidentView, [CommandInput<N>]>> };
type SignalDefinitions = { [N in CommandName]: ReturnType<typeof defineSignal<[CommandInput<N>]>> };

export const commandUpdates = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, defineUpdate<IncidentView, [unknown]>(name)]),
) as unknown as UpdateDefinitions;

export const commandSignals = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, defineSignal<[unknown]>(name)]),
) as unknown as SignalDefinitions;

/** Temporal workflow ID of an incident. */
export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}
