/**
 * The workflow's history is a budget: what one command writes into it stays small whatever the incident's size, the
 * state stays bounded (the store keeps the whole timeline), and a retried Update is applied once, also across
 * continue-as-new. Sizes are Temporal's own count (describe().historySize), measured with the workflow at rest.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import type { IncidentRecordRepository } from '../../store/incident-records.js';
import { commandSignals, commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import type { IncidentWorkflowOptions } from '../../workflows/incident.js';
import { RECORD_CONFIRM_EVERY_EVENTS } from '../../workflows/incident-record.js';
import { connectToTestServer, historyAtRest, runTestWorkerWithStore, startTestIncident, storeCaughtUp, uniqueTaskQueue, applyUpdate } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorkerWithStore>>;
let records: IncidentRecordRepository;
const taskQueue = uniqueTaskQueue('history-budget');
// No membership looks: their timers would land in the middle of a measurement.
const QUIET: IncidentWorkflowOptions = { membershipCheckIntervalMs: 3_600_000 };
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

async function bytesOfOneNote(handle: WorkflowHandle, label: string): Promise<number> {
  const before = (await historyAtRest(handle, `${label}: at rest before the note`)).bytes;
  await handle.executeUpdate(commandUpdates.addNote, { args: [{ text: 'Rolled back the 14:02 deploy; error rate falling.', actor: 'bob' }] });
  const after = (await historyAtRest(handle, `${label}: at rest after the note`)).bytes;
  return after - before;
}

describe('the history budget', () => {
  it('a note adds under 2 KB of history, in a fresh incident and in one with a long timeline alike', { timeout: 180_000 }, async () => {
    const small = await startTestIncident(env.client, taskQueue, {}, QUIET);
    const smallCost = await bytesOfOneNote(small.handle, 'the fresh incident');

    const big = await startTestIncident(env.client, taskQueue, {}, QUIET);
    // 700 notes of 400 characters: a timeline far past what the state keeps (500 events).
    for (let i = 1; i <= 700; i++) await big.handle.signal(commandSignals.addNote, { text: `${i}: ${'y'.repeat(400)}`, actor: 'carol' });
    await waitFor(() => big.handle.query(incidentViewQuery), (v) => v.timelineDropped + v.timeline.length >= 700, {
      what: 'the 700 notes',
      timeoutMs: 60_000,
    });
    const bigCost = await bytesOfOneNote(big.handle, 'the big incident');

    console.log(`history budget: a note adds ${smallCost} bytes to a fresh incident, ${bigCost} to one with 700 notes`);
    expect(smallCost).toBeGreaterThan(0);
    // About 1 KB: the Update's events and its workflow task (from incident-v14 the store's record comes through the
    // worker's sink; the record activity, its workflow task and its query came after every note before, ~2 KB in all).
    expect(smallCost).toBeLessThan(1536);
    expect(bigCost).toBeLessThan(1536);
    // Whatever the incident's size: the big one's note costs about what the fresh one's does.
    expect(Math.abs(bigCost - smallCost)).toBeLessThan(512);

    // The state is bounded; the store and the state together have every event, each once, and the store all but the
    // newest hundred at most (the record activity stores them every RECORD_CONFIRM_EVERY_EVENTS).
    const { view, timeline: stored, timelineDropped } = await storeCaughtUp(big.handle, records);
    expect(view.timeline.length).toBeLessThanOrEqual(500);
    expect(timelineDropped).toBe(0);
    expect(stored.map((event) => event.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect((await records.timeline.list(big.id)).length).toBeGreaterThan(stored.length - RECORD_CONFIRM_EVERY_EVENTS);
    const notes = stored.filter((event) => event.kind === 'note').map((event) => event.text);
    expect(notes.filter((text) => /^\d+: y+$/.test(text))).toHaveLength(700);
    expect(new Set(notes).size).toBe(notes.length);
  });

  it('continues as new after its own count of Updates, before Temporal refuses more in one run', async () => {
    // Temporal takes at most `history.maxTotalUpdates` Updates per run (2,000 by default); the incident counts them
    // (UPDATES_PER_RUN, 1,000; 25 here) and continues as new at that count, whatever the history's size.
    const { handle } = await startTestIncident(env.client, taskQueue, {}, { ...QUIET, continueAsNewAfterUpdates: 25 });
    for (let i = 0; i < 80; i++) await applyUpdate(handle, 'addNote', { text: `counted ${i}`, actor: 'bob' });
    const runs: Array<{ runId: string; updates: number; events: number }> = [];
    await waitFor(
      async () => {
        runs.length = 0;
        for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
          const history = await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
          const updates = (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length;
          runs.push({ runId: execution.runId, updates, events: history.events?.length ?? 0 });
        }
        return runs;
      },
      (found) => found.length >= 4,
      { what: 'four runs', timeoutMs: 30_000 },
    );
    // Each finished run took about its count (the Updates of its last workflow task come on top), none far more.
    for (const run of runs) expect(run.updates, JSON.stringify(runs)).toBeLessThanOrEqual(25 + 10);
    // Far from the history limits that continue a run otherwise (thousands of events).
    for (const run of runs) expect(run.events).toBeLessThan(400);
    // The store's timeline and the state's newest events (those not stored yet) together: each note once, in order.
    const { timeline } = await storeCaughtUp(handle, records, 'the record after the 80 notes');
    const notes = timeline.filter((event) => event.kind === 'note').map((event) => event.text);
    expect(notes).toEqual(Array.from({ length: 80 }, (_, i) => `counted ${i}`));
  });

  it('posts each status update to the channel once though the runs continue as new amid them (follow-ups left to the next run)', async () => {
    const { id, handle } = await startTestIncident(env.client, taskQueue, {}, { ...QUIET, continueAsNewAfterUpdates: 6 });
    const messages = Array.from({ length: 30 }, (_, i) => `update ${i} of the flood`);
    // Sent together: their posts queue in one lane, and a run due to continue leaves the queued ones to the next.
    await Promise.all(messages.map((message) => applyUpdate(handle, 'postStatusUpdate', { message, actor: 'alice' })));
    const channelId = (await handle.query(incidentViewQuery)).links.channelId!;
    const posted = (message: string) => workspace.records.posts.filter((post) => post.channelId === channelId && post.message.includes(message)).length;
    await waitFor(async () => messages.map(posted), (counts) => counts.every((count) => count >= 1), { what: `the 30 status updates in incident ${id}'s channel` });
    expect(messages.map(posted)).toEqual(messages.map(() => 1));
    const runs: string[] = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(execution.runId);
    // At least one continue-as-new amid them (how many depends on how many Updates one workflow task took).
    expect(runs.length).toBeGreaterThanOrEqual(2);
  });

  it('applies an Update retried with the same ID once, also after the incident continued as new', async () => {
    const { id, handle } = await startTestIncident(env.client, taskQueue, {}, { ...QUIET, continueAsNewAfterEvents: 120 });
    const first = await handle.executeUpdate(commandUpdates.addNote, { args: [{ text: 'once only', actor: 'bob' }], updateId: `note-${id}` });
    expect(first).toMatchObject({ changed: [{ kind: 'note', text: 'once only' }] });
    const { runId } = await handle.describe();
    // Push the run past its event limit so that it continues as new. An Update that meets the continue-as-new is
    // aborted, not applied (the API sends it again; so does this loop).
    for (let i = 0; i < 60; i++) await applyUpdate(handle, 'addNote', { text: `filler ${i}`, actor: 'bob' });
    await waitFor(() => handle.describe(), (d) => d.runId !== runId, { what: 'a new run', timeoutMs: 60_000 });

    const retried = await handle.executeUpdate(commandUpdates.addNote, { args: [{ text: 'once only', actor: 'bob' }], updateId: `note-${id}` });
    expect(retried).toMatchObject({ duplicate: true, changed: [] });
    const view = await handle.query(incidentViewQuery);
    expect(view.timeline.filter((event) => event.text === 'once only')).toHaveLength(1);
    // The remembered IDs stay inside the state, not in the view.
    expect(view).not.toHaveProperty('recentUpdateIds');
  });
});
