/**
 * Records the history of an alert group's workflow (workflows/alert-group.ts) into test/histories/<name>.json, beside
 * the incidents' histories: four deliveries, one hand-over refused as a whole, a continue-as-new after three (a short
 * run length), so the replay test catches a change to the group workflow that running groups would replay differently.
 * The intake's activity is a stand-in that answers at once: a history holds what the workflow did, not how the
 * activity did it.
 *
 *   npx tsx scripts/record-alert-group-history.ts alert-group-v1
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { AlertDelivery, AlertDeliveryOutcome } from '../formats/alert-delivery.js';
import { alertmanagerGroup } from '../test/helpers/alert-fixtures.js';
import { fromAlertmanager, alertmanagerPayloadSchema } from '../formats/alertmanager.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { WORKFLOWS_SOURCE_PATH } from '../workers/incident-worker.js';
import { alertGroup } from '../workflows/alert-group.js';
import { alertDeliveredSignal, alertGroupStatusQuery, alertIntakeTaskQueue, type AlertIntakeActivities } from '../workflows/alert-group-messages.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: tsx scripts/record-alert-group-history.ts <name>   (lower-case, e.g. alert-group-v1)');
  process.exit(2);
}
const out = fileURLToPath(new URL(`../test/histories/${name}.json`, import.meta.url));
const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: ensureTemporalCli(console.log).path } } });
try {
  const taskQueue = 'record-alert-group';
  const groupKey = '{}:{alertname="Recorded"}';
  let handOvers = 0;
  const intake: AlertIntakeActivities = {
    async deliverAlerts(deliveries, knownIncidentId): Promise<AlertDeliveryOutcome[]> {
      // The second hand-over is refused as a whole (as when no API takes it in time): the group records it as failed.
      if (++handOvers === 2) throw ApplicationFailure.nonRetryable('refused for the recording', 'AlertRefused');
      return deliveries.map((delivery, i) => ({
        deliveryId: delivery.deliveryId,
        outcome: knownIncidentId || i > 0 ? 'joined' : 'started',
        incidentId: 'al-recorded-1',
      }));
    },
  };
  const workflows = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: WORKFLOWS_SOURCE_PATH });
  const activities = await Worker.create({ connection: env.nativeConnection, taskQueue: alertIntakeTaskQueue(taskQueue), activities: intake });
  const delivery = (n: number): AlertDelivery => ({
    deliveryId: `delivery-${n}`,
    request: fromAlertmanager(alertmanagerPayloadSchema.parse(alertmanagerGroup('firing', groupKey))),
    caller: 'alertmanager',
    receivedAt: new Date().toISOString(),
  });
  await Promise.all([
    workflows.runUntil(
      activities.runUntil(async () => {
        const handle = await env.client.workflow.signalWithStart(alertGroup, {
          workflowId: 'alert-group-recorded',
          taskQueue,
          args: [{ groupKey, deliveriesPerRun: 3 }],
          signal: alertDeliveredSignal,
          signalArgs: [delivery(1)],
        });
        const deliveredAtLeast = async (count: number) => {
          while ((await handle.query(alertGroupStatusQuery)).delivered < count) await new Promise((resolve) => setTimeout(resolve, 50));
        };
        await deliveredAtLeast(1);
        await handle.signal(alertDeliveredSignal, delivery(2));
        await deliveredAtLeast(2);
        await handle.signal(alertDeliveredSignal, delivery(3));
        await handle.signal(alertDeliveredSignal, delivery(4));
        await deliveredAtLeast(4);
        // The first run: it continued as new after three deliveries.
        const first = env.client.workflow.getHandle('alert-group-recorded', handle.signaledRunId);
        writeFileSync(out, historyToJSON(await first.fetchHistory()));
      }),
    ),
  ]);
  console.log(`wrote ${out}`);
} finally {
  await env.teardown();
}
