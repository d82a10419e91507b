/**
 * Commands from and about the outside systems: a delivery from monitoring (which may resolve the incident), and the
 * retry of a launch step or follow-up that failed.
 */
import { z } from 'zod';
import { applyAlertDelivery, MAX_ALERTS_PER_BATCH, MAX_DELIVERIES_PER_BATCH, recordAlertsPayloadSchema, type RecordAlertsPayload } from '../alerts.js';
import { IncidentCommandError } from '../errors.js';
import { FOLLOW_UP_KINDS, type FollowUpKind } from '../follow-ups.js';
import type { IncidentState } from '../incident.js';
import { LAUNCH_STEP_DEPENDENTS, LAUNCH_STEP_REFRESHES, LAUNCH_STEPS, type LaunchStepName } from '../launch-steps.js';
import { actorSchema } from '../people.js';
import { recordEvent } from '../timeline.js';
import { define, refuseWhenClosed } from './definition.js';
import { resolveIncident } from './lifecycle.js';

const alertDeliverySchema = recordAlertsPayloadSchema.extend({ actor: actorSchema });

function checkAlertGroup(state: IncidentState, groupKey: string): void {
  refuseWhenClosed(state);
  if (state.alertGroup && state.alertGroup.groupKey !== groupKey) {
    throw new IncidentCommandError('conflict', `incident ${state.id} follows another alert group`);
  }
}

function recordAlertDelivery(state: IncidentState, { actor, ...delivery }: RecordAlertsPayload & { actor: string }, now: string): void {
  const { groupResolved } = applyAlertDelivery(state, delivery, actor, now);
  const open = state.status === 'reported' || state.status === 'active';
  if (groupResolved && open && state.playbook.alerts?.autoResolve) resolveIncident(state, actor, now, undefined, ' (its alerts resolved)');
}

export const alertAndRetryCommands = {
  recordAlerts: define({
    summary: 'Record a delivery from monitoring (Alertmanager or the generic alert endpoint); may auto-resolve.',
    payload: alertDeliverySchema,
    check(state, { groupKey }) {
      checkAlertGroup(state, groupKey);
    },
    apply(state, delivery, now) {
      recordAlertDelivery(state, delivery, now);
    },
  }),

  retryIntegration: define({
    summary: 'Retry a launch step or resolution follow-up that failed (e.g. "ticket", "meeting", "closeAlert").',
    payload: z.object({
      step: z.enum([...LAUNCH_STEPS, ...FOLLOW_UP_KINDS], {
        error: `expected one of ${[...LAUNCH_STEPS, ...FOLLOW_UP_KINDS].join(', ')}`,
      }),
      actor: actorSchema,
    }),
    check(state, { step }) {
      refuseWhenClosed(state);
      const status = isLaunchStep(step)
        ? state.launch[step]?.status
        : state.followUps.some((f) => f.kind === step && f.status === 'failed')
          ? 'failed'
          : latestFollowUp(state, step)?.status;
      if (status !== 'failed') {
        throw new IncidentCommandError(
          'conflict',
          status ? `${step} is ${status}; only a failed step can be retried` : `${step} has not run in this incident`,
        );
      }
    },
    apply(state, { step, actor }, now) {
      if (isLaunchStep(step)) {
        state.launch[step] = { status: 'pending' };
        for (const name of LAUNCH_STEP_DEPENDENTS[step] ?? []) {
          if (state.launch[name].status === 'failed') state.launch[name] = { status: 'pending' };
        }
        for (const name of LAUNCH_STEP_REFRESHES[step] ?? []) {
          if (state.launch[name].status === 'done') state.launch[name] = { status: 'pending' };
        }
      } else {
        // Several follow-ups can share a kind (one per webhook or broadcast channel): retry every one that failed.
        for (const followUp of state.followUps) {
          if (followUp.kind !== step || followUp.status !== 'failed') continue;
          followUp.status = 'pending';
          delete followUp.error;
        }
      }
      recordEvent(state, now, 'integration_retried', actor, `@${actor} asked to retry ${step}`, { step });
    },
  }),

  recordAlertBatch: define({
    summary: `Record up to ${MAX_DELIVERIES_PER_BATCH} deliveries of the incident's alert group at once, in order, as recordAlerts would one by one.`,
    // One actor for all of them, as for any command: the API sets it from the caller's token (never per delivery).
    payload: z
      .object({ deliveries: z.array(recordAlertsPayloadSchema).min(1).max(MAX_DELIVERIES_PER_BATCH), actor: actorSchema })
      .refine(({ deliveries }) => deliveries.every((delivery) => delivery.groupKey === deliveries[0]!.groupKey), {
        error: 'every delivery of a batch belongs to one alert group',
        path: ['deliveries'],
      })
      .refine(({ deliveries }) => deliveries.reduce((sum, delivery) => sum + delivery.alerts.length, 0) <= MAX_ALERTS_PER_BATCH, {
        error: `a batch carries at most ${MAX_ALERTS_PER_BATCH} alerts, all deliveries together`,
        path: ['deliveries'],
      }),
    check(state, { deliveries }) {
      checkAlertGroup(state, deliveries[0]!.groupKey);
    },
    apply(state, { deliveries, actor }, now) {
      // One delivery cannot close the incident (at most resolve it), so each one after it is taken as it would be alone.
      for (const delivery of deliveries) recordAlertDelivery(state, { ...delivery, actor }, now);
    },
  }),
};

function isLaunchStep(step: string): step is LaunchStepName {
  return (LAUNCH_STEPS as readonly string[]).includes(step);
}

function latestFollowUp(state: IncidentState, kind: FollowUpKind) {
  return state.followUps.filter((followUp) => followUp.kind === kind).at(-1);
}
