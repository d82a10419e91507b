/**
 * An Update that was not applied (it met a continue-as-new, or the workflow task carrying it failed, which on a busy
 * machine can go on for seconds) goes again under the same ID until the command's deadline; one never applied is a
 * 503 saying nothing changed, never a 500. Temporal is faked: an Update that fails the way the server answers.
 */
import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../api/http-error.js';
import { IncidentService } from '../../api/incident-service.js';

/** A client whose first `times` Updates fail with `failure` (by default, a failed workflow task). */
function clientFailing(times: number, failure: () => Error = () => new Error('unexpected workflow task failure'), temporal: 'answers' | 'silent' = 'answers') {
  const ids: string[] = [];
  const client = {
    withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call(),
    connection: {
      workflowService: {
        getSystemInfo: async () => {
          if (temporal === 'silent') throw Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 });
          return {};
        },
      },
    },
    workflow: {
      getHandle: () => ({
        executeUpdate: async (_update: unknown, options: { updateId: string }) => {
          ids.push(options.updateId);
          if (ids.length <= times) throw failure();
          return { incidentId: 'inc-1', revision: 7, status: 'active', changed: [] };
        },
        describe: async () => ({ status: { name: 'RUNNING' } }),
      }),
    },
  } as unknown as Client;
  return { client, ids };
}

describe('an Update not answered in time', () => {
  // What the client throws when the Update's call runs out of time (the server's or the worker's silence alike).
  const deadlineExceeded = () => new WorkflowUpdateRPCTimeoutOrCancelledError('Timed out or cancelled waiting for Workflow Update');

  it('is a 504 naming the incident\'s worker when Temporal answers, a 503 naming Temporal when it does not', async () => {
    const workerSilent = clientFailing(Infinity, deadlineExceeded, 'answers');
    const first = await new IncidentService(workerSilent.client, 'q', 200).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never).catch((error: unknown) => error);
    expect(first).toMatchObject({ status: 504, message: 'incident inc-1 did not answer in time; check that an incident worker is running' });
    const temporalSilent = clientFailing(Infinity, deadlineExceeded, 'silent');
    const second = await new IncidentService(temporalSilent.client, 'q', 200).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(HttpError);
    expect(second).toMatchObject({ status: 503, retryAfterSeconds: 5 });
    expect((second as HttpError).message).toMatch(/^the Temporal service does not answer, so incident inc-1 could not take the command; it is not known to be applied/);
  });
});

describe('an Update that was not applied', () => {
  it('goes again under the same ID until it is applied', async () => {
    const { client, ids } = clientFailing(3);
    const result = await new IncidentService(client, 'q', 5_000).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never, { updateId: 'key-1' });
    expect(result.revision).toBe(7);
    expect(ids).toEqual(['key-1', 'key-1', 'key-1', 'key-1']);
  });

  it('goes again when the run continued as new in the very task that carried it ("wasn\'t processed by worker")', async () => {
    const rejected = () =>
      Object.assign(new Error('Workflow Update failed'), {
        cause: new Error("Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker."),
      });
    const { client, ids } = clientFailing(1, rejected);
    expect((await new IncidentService(client, 'q', 5_000).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never, { updateId: 'key-2' })).revision).toBe(7);
    expect(ids).toEqual(['key-2', 'key-2']);
  });

  it('goes again when the run has taken as many Updates as Temporal lets one run take (history.maxTotalUpdates)', async () => {
    // As the client throws it: a ServiceError whose cause is the server's FAILED_PRECONDITION.
    const limited = () =>
      Object.assign(new Error('Workflow Update failed'), {
        cause: Object.assign(
          new Error('9 FAILED_PRECONDITION: The limit on the total number of distinct updates in this workflow has been reached (2000). Make sure any duplicate updates share an Update ID'),
          { code: 9 },
        ),
      });
    const { client, ids } = clientFailing(2, limited);
    expect((await new IncidentService(client, 'q', 5_000).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never, { updateId: 'key-3' })).revision).toBe(7);
    expect(ids).toEqual(['key-3', 'key-3', 'key-3']);
  });

  it('goes again when the incident refused it because it is continuing as new (its next run takes it)', async () => {
    const continuing = () =>
      Object.assign(new Error('Workflow Update failed'), { cause: new Error('incident inc-1 is starting its next run; send the command again') });
    const { client, ids } = clientFailing(2, continuing);
    expect((await new IncidentService(client, 'q', 5_000).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never, { updateId: 'key-4' })).revision).toBe(7);
    expect(ids).toEqual(['key-4', 'key-4', 'key-4']);
  });

  it('is a 503 with Retry-After, saying nothing changed, when the deadline passes first', async () => {
    const { client, ids } = clientFailing(Number.POSITIVE_INFINITY);
    const error = await new IncidentService(client, 'q', 600).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 1, message: expect.stringMatching(/nothing was applied/) });
    expect(ids.length).toBeGreaterThan(3);
  });

  it('that failed some way the API does not know is a 500 that tells the caller nothing and keeps its cause for the log', async () => {
    const { client } = clientFailing(1, () => Object.assign(new Error('Workflow Update failed'), { cause: new Error('13 INTERNAL: shard ownership lost') }));
    const error = (await new IncidentService(client, 'q', 5_000).command('inc-1', 'addNote', { text: 'x', actor: 'alice' } as never).catch((e: unknown) => e)) as HttpError;
    expect(error).toMatchObject({ status: 500, code: 'internal' });
    expect(JSON.stringify(error.toJSON())).not.toMatch(/shard|INTERNAL/);
    expect(String((error as { cause?: { cause?: unknown } }).cause?.cause)).toMatch(/shard ownership lost/);
  });
});
