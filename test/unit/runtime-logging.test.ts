/** The SDK's log lines through pino: an incident's lines carry its ID; lines a process expects go out at debug. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { EXPECTED_IN_API, toPino } from '../../temporal/runtime-logging.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

it("turns the API's expected start-up warnings into debug lines and leaves other warnings alone", async () => {
  const { lines, logger } = capture();
  const log = toPino(logger, EXPECTED_IN_API);
  log({ level: 'WARN', message: 'No workflows registered, not polling for workflow tasks', meta: { taskQueue: 'q-alert-intake' }, timestampNanos: 0n });
  log({ level: 'WARN', message: 'Activity failed', meta: { workflowId: 'incident-abc' }, timestampNanos: 0n });
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines.map((line) => [line.level, line.msg])).toEqual([
    [20, 'No workflows registered, not polling for workflow tasks'],
    [40, 'Activity failed'],
  ]);
  expect(lines[1]).toMatchObject({ incidentId: 'abc', source: 'temporal' });
  // Without the list (the worker), the same warning stays a warning.
  const plain = capture();
  toPino(plain.logger)({ level: 'WARN', message: 'No workflows registered, not polling for workflow tasks', meta: {}, timestampNanos: 0n });
  await new Promise((resolve) => setImmediate(resolve));
  expect(plain.lines[0]?.level).toBe(40);
});
