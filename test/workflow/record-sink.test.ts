/**
 * The incident's record in the store from incident-v14: after each change the worker's sink writes it at once, with no
 * activity, query or workflow task in the incident's history; the record activity stores the timeline every
 * RECORD_CONFIRM_EVERY_EVENTS events and all of it when the incident closes, so nothing the store lacks is ever gone
 * from the state, and readers merging the two see every event.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import type { IncidentRecordRepository } from '../../store/incident-records.js';
import { RECORD_CONFIRM_EVERY_EVENTS } from '../../workflows/incident-record.js';
import { storedIncidentViews } from '../../api/stored-incident-view.js';
import { commandSignals, incidentViewQuery } from '../../workflows/messages.js';
import { applyUpdate, connectToTestServer, historyAtRest, runTestWorkerWithStore, startTestIncident, storeCaughtUp, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorkerWithStore>>;
let records: IncidentRecordRepository;
const taskQueue = uniqueTaskQueue('record-sink');
const QUIET = { membershipCheckIntervalMs: 3_600_000 };
const workspace = new InMemoryWorkspace();

beforeAll(async () => {
  env = await connectToTestServer();
  worker = await runTestWorkerWithStore(env, taskQueue, workspace);
  records = worker.records;
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

/** How many record activities the incident's history has scheduled. */
async function recordActivities(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'storeIncidentRecord').length;
}

describe('the record through the worker (incident-v14)', () => {
  it("writes each change's record to the store at once, with no activity in the history", async () => {
    const { id, handle } = await startTestIncident(env.client, taskQueue, {}, QUIET);
    await historyAtRest(handle, 'the launch over');
    for (const [i, severity] of ['sev3', 'sev1', 'sev3'].entries()) {
      await applyUpdate(handle, 'setSeverity', { severity, actor: 'bob' });
      const { view } = await storeCaughtUp(handle, records, `the record after change ${i}`);
      expect(view.revision).toBeGreaterThan(0);
    }
    expect((await records.get(id))?.severity).toBe('sev3');
    // The store's record also carries what lists and search read (the channel, the members).
    const view = await handle.query(incidentViewQuery);
    expect((await records.get(id))?.channelId).toBe(view.links.channelId);
    expect(await recordActivities(handle)).toBe(0);
  });

  it('writes the record while the launch is still under way (a slow integration holds it up)', async () => {
    // Jira answers after 6 s: the launch waits for the ticket, the record does not wait for the launch.
    await workspace.withFaults({ createIssue: { failures: 0, delayAfterMs: 6_000 } }, async () => {
      const { id, handle } = await startTestIncident(env.client, taskQueue, {}, QUIET);
      await applyUpdate(handle, 'setSeverity', { severity: 'sev1', actor: 'bob' });
      const { view } = await storeCaughtUp(handle, records, 'the record with the new severity, during the launch');
      expect(view.launch.ticket.status).toBe('pending');
      expect((await records.get(id))?.severity).toBe('sev1');
      await waitFor(() => handle.query(incidentViewQuery), (v) => v.launch.ticket.status === 'done', { what: 'the ticket, at last' });
    });
  });

  it("ends cancelled when an operator cancels the workflow: the record's coroutine stops, no workflow task fails", async () => {
    const { handle } = await startTestIncident(env.client, taskQueue, {}, QUIET);
    await historyAtRest(handle, 'the launch over');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((event) => event.workflowTaskFailedEventAttributes)).toEqual([]);
  });

  it('stores the timeline every hundred events, and all of it once closed; readers merging the two see every event', async () => {
    const { id, handle } = await startTestIncident(env.client, taskQueue, {}, QUIET);
    await historyAtRest(handle, 'the launch over');
    for (let i = 1; i <= 250; i++) await handle.signal(commandSignals.addNote, { text: `note ${i}`, actor: 'carol' });
    const open = await waitFor(
      () => handle.query(incidentViewQuery),
      (v) => v.timeline.filter((event) => event.kind === 'note').length === 250 && v.projectedTimelineSeq! >= RECORD_CONFIRM_EVERY_EVENTS * 2,
      { what: 'the 250 notes, two hundred of them stored' },
    );
    await historyAtRest(handle, 'the notes taken');
    const lastSeq = open.timelineDropped + open.timeline.length;
    // A confirmation per hundred events at most (one runs while the next hundred come), two at least here.
    const confirmations = await recordActivities(handle);
    expect(confirmations).toBeGreaterThanOrEqual(2);
    expect(confirmations).toBeLessThanOrEqual(Math.floor(lastSeq / RECORD_CONFIRM_EVERY_EVENTS));
    const { timeline } = await storeCaughtUp(handle, records);
    expect(timeline.map((event) => event.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(timeline.filter((event) => event.kind === 'note').map((event) => event.text)).toEqual(Array.from({ length: 250 }, (_, i) => `note ${i + 1}`));
    // The store's timeline lacks the newest events only, fewer than a hundred; its record carries them, so a view read
    // from the store (when the incident is slow to answer) ends with them too.
    const stored = await records.timeline.list(id);
    expect(lastSeq - stored.length).toBeLessThan(RECORD_CONFIRM_EVERY_EVENTS);
    expect(lastSeq - stored.length).toBeGreaterThan(0);
    const fromStore = await storedIncidentViews(records)(id);
    expect(fromStore?.revision).toBe(open.revision);
    expect(fromStore?.timeline.map((event) => event.seq)).toEqual(open.timeline.map((event) => event.seq));
    expect(fromStore?.timeline.at(-1)?.text).toBe('note 250');

    await applyUpdate(handle, 'acknowledge', { actor: 'bob' });
    await applyUpdate(handle, 'resolve', { summary: 'bad deploy', actor: 'bob' });
    await applyUpdate(handle, 'close', { actor: 'bob' });
    const final = await handle.result();
    const storedAtClose = await records.timeline.list(id);
    expect(storedAtClose.map((event) => event.seq)).toEqual(Array.from({ length: final.timelineDropped + final.timeline.length }, (_, i) => i + 1));
    expect(await records.get(id)).toMatchObject({ status: 'closed', revision: final.revision });
  });
});
