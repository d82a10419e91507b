/**
 * Records the history of a scripted incident (launch with a user group invited, every command as update and signal, a refused signal, status
 * updates with a reminder and a broadcast, a member joining (and the membersChanged signal), the retrospective, an export, close
 * (taking the channel out of the sidebars; v1–v8 archived it instead)) into
 * test/histories/<name>.json. The replay test replays every file there against the current workflow code, so a change
 * that would break running incidents fails CI. Record a new file before each change that alters the workflow's commands
 * (and guard that change with patched()).
 *
 *   npx tsx scripts/record-incident-history.ts incident-v3
 *   npx tsx scripts/record-incident-history.ts incident-v15-checklist-with-channel --no-oncall-task
 *
 * `--no-oncall-task`: the playbook gives the on-call no task, so the checklist need not wait for who is on call (from
 * incident-v15 it is then posted in the channel's own activity): that launch has a history of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { IncidentView } from '../domain/incident.js';
import { prepareIncidentStart } from '../domain/new-incident.js';
import { InMemoryWorkspace } from '../test/fakes/in-memory-workspace.js';
import { openDatabase } from '../store/database.js';
import { IncidentRecordRepository } from '../store/incident-records.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { createIncidentWorker } from '../workers/incident-worker.js';
import { commandSignals, commandUpdates, incidentViewQuery, incidentWorkflowId, INCIDENT_WORKFLOW_TYPE, membersChangedSignal } from '../workflows/messages.js';

const name = process.argv[2];
const noOnCallTask = process.argv.slice(3).includes('--no-oncall-task');
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: tsx scripts/record-incident-history.ts <name> [--no-oncall-task]   (lower-case, e.g. incident-v2)');
  process.exit(2);
}
const out = fileURLToPath(new URL(`../test/histories/${name}.json`, import.meta.url));
const cli = ensureTemporalCli(console.log);
const storeDirectory = mkdtempSync(join(tmpdir(), 'record-history-'));
const database = await openDatabase({ url: `sqlite:${join(storeDirectory, 'store.sqlite')}` });
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES] },
});
try {
  // The "sre" group is bob: the playbook invites it (recordings before incident-v18 named no group).
  const workspace = new InMemoryWorkspace({ onCall: { default: ['oscar@example.com'] }, groups: { sre: ['bob'] } });
  await workspace.chat.createChannel({ team: 'shop', name: 'announcements', displayName: 'Announcements', purpose: '', private: false });
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: 'record-history',
    // A store: the record and the whole timeline are written as the incident goes.
    dependencies: { integrations: workspace, records: new IncidentRecordRepository(database.db) },
  });
  await worker.runUntil(async () => {
    const id = 'recorded-1';
    const handle = await env.client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(id),
      taskQueue: 'record-history',
      args: [
        {
          // Validated and snapshotted here, as the API does: the workflow trusts the snapshot.
          start: prepareIncidentStart({
            id,
            name: 'Recorded outage',
            team: 'shop',
            reporter: 'alice',
            playbook: {
              id: 'recorded',
              title: 'Recorded',
              checklists: [
                // The on-call's task: from v10 the checklist is posted once the lookup has assigned it (v1–v9 drew it before).
                { id: 'triage', title: 'Triage', tasks: [{ id: 'ack', title: 'Acknowledge', due: '1m' }, { id: 'impact', title: 'Impact', ...(noOnCallTask ? {} : { assigneeRole: 'oncall' as const }) }] },
                {
                  id: 'fix',
                  title: 'Fix',
                  tasks: [
                    { id: 'rollback', title: 'Roll back', command: '/deploy rollback' },
                    { id: 'bridge', title: 'Open a bridge', action: { type: 'start-meeting' } },
                  ],
                },
              ],
              channel: { headerTemplate: '{{severity}} · {{commander}}' },
              // Looked up by the invitations' activity from incident-v18 (by a groupMembers activity before).
              invitees: { groups: ['sre'] },
              welcomeMessage: 'Welcome to {{channel}}.',
              // "nowhere" does not exist: every update's copy there fails, and the channel hears of it once.
              statusUpdates: { reminder: '1m', broadcastChannels: ['announcements', 'nowhere'] },
              retrospective: {},
              // Not archived: closing then takes the channel out of the members' sidebars (v9); v1–v8 recorded the archive.
              archiveChannelOnClose: false,
              // The meeting waits for the task's start-meeting action.
              zoom: { enabled: true },
            },
          }),
          // "1m" is one second here, and members are looked at every second: the history holds timers and reminders.
          options: { timeScale: 60, membershipCheckIntervalMs: 1000 },
        },
      ],
    });
    for (;;) {
      const view = await handle.query(incidentViewQuery);
      if (view.launch.channelHeader.status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const waitForView = async (accept: (view: IncidentView) => boolean) => {
      for (;;) {
        if (accept(await handle.query(incidentViewQuery))) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await waitForView((view) => view.timeline.some((event) => event.kind === 'reminder_sent'));
    workspace.records.channels.find((channel) => channel.name.startsWith('incident-recorded-1'))!.members.push('erin');
    // As the API sends it when Mattermost's websocket says someone joined (the history then holds the signal too).
    await handle.signal(membersChangedSignal);
    await waitForView((view) => view.timeline.some((event) => event.kind === 'member_joined'));
    await handle.executeUpdate(commandUpdates.postStatusUpdate, { args: [{ message: 'Investigating', actor: 'alice' }] });
    await handle.executeUpdate(commandUpdates.postStatusUpdate, { args: [{ message: 'Still investigating', actor: 'alice' }] });
    await handle.executeUpdate(commandUpdates.snoozeStatusReminder, { args: [{ for: '5m', actor: 'alice' }] });
    await handle.executeUpdate(commandUpdates.runTaskAction, { args: [{ taskId: '2.2', actor: 'bob' }] });
    await handle.signal(commandSignals.acknowledge, { actor: 'bob' });
    await handle.signal(commandSignals.close, { actor: 'mallory' }); // refused (not resolved): recorded as rejected
    await handle.executeUpdate(commandUpdates.completeTask, { args: [{ taskId: '1.1', actor: 'bob' }] });
    await handle.executeUpdate(commandUpdates.skipTask, { args: [{ taskId: '2.1', actor: 'bob' }] });
    await handle.executeUpdate(commandUpdates.reopenTask, { args: [{ taskId: '2.1', actor: 'bob' }] });
    await handle.executeUpdate(commandUpdates.assignTask, { args: [{ taskId: '1.2', assignee: 'carol' }] });
    await handle.executeUpdate(commandUpdates.addTask, { args: [{ checklist: 'fix', title: 'Purge cache' }] });
    await handle.executeUpdate(commandUpdates.changeCommander, { args: [{ commander: 'bob' }] });
    await handle.executeUpdate(commandUpdates.setSeverity, { args: [{ severity: 'sev1' }] });
    await handle.executeUpdate(commandUpdates.addNote, { args: [{ text: 'rolled back' }], updateId: 'note-once' });
    // The same Update again (a client's retry): answered, not applied twice.
    await handle.executeUpdate(commandUpdates.addNote, { args: [{ text: 'rolled back' }], updateId: 'note-once' });
    await handle.executeUpdate(commandUpdates.resolve, { args: [{ summary: 'bad deploy' }] });
    await handle.executeUpdate(commandUpdates.reopen, { args: [{}] });
    await handle.signal(commandSignals.resolve, {});
    await handle.executeUpdate(commandUpdates.exportPostmortem, { args: [{ formats: ['markdown'] }] });
    await handle.executeUpdate(commandUpdates.editRetrospective, { args: [{ text: 'What happened: a bad deploy.' }] });
    await handle.executeUpdate(commandUpdates.publishRetrospective, { args: [{}] });
    await waitForView((view) => view.followUps.every((followUp) => followUp.status !== 'pending'));
    await handle.executeUpdate(commandUpdates.close, { args: [{}] });
    await handle.result();
    writeFileSync(out, historyToJSON(await handle.fetchHistory()));
  });
  console.log(`wrote ${out}`);
} finally {
  await env.teardown();
  await database.close();
  rmSync(storeDirectory, { recursive: true, force: true });
}
