/**
 * The Temporal client's retries on a connection that closes (temporal/retry-until-closed.ts): a call the server turned
 * away is retried as the SDK does, until the connection closes; then it fails with CANCELLED instead of throwing from
 * the retry's timer (an uncaught exception, which fails this run) and never settling. The server is a gRPC endpoint
 * of node:http2 that answers every call UNAVAILABLE (a "trailers-only" response, as a busy server does).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { retryUntilClosed } from '../../temporal/retry-until-closed.js';

/** A gRPC server on 127.0.0.1 that refuses every call with UNAVAILABLE; `calls` resolve as they arrive. */
async function refusingServer() {
  const server = http2.createServer();
  const arrived: Array<() => void> = [];
  let calls = 0;
  server.on('stream', (stream) => {
    calls++;
    stream.on('error', () => undefined);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'busy' }, { endStream: true });
    arrived.splice(0).forEach((resolve) => resolve());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    /** Resolves once the server has had `count` calls. */
    async callsReach(count: number): Promise<void> {
      while (calls < count) await new Promise<void>((resolve) => arrived.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the Temporal client retrying until its connection closes', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('retries a refused call as the SDK does, and fails it with CANCELLED once the connection is closed', async () => {
    const server = await refusingServer();
    cleanup.push(server.close);
    const connection = Connection.lazy({ address: server.address, interceptors: [retryUntilClosed()] });
    const outcome = connection.workflowService.getSystemInfo({}).then(
      () => ({ answered: true as const }),
      (error: { code?: number; message: string }) => ({ answered: false as const, code: error.code, message: error.message }),
    );
    // The SDK's backoff: the second call comes a moment after the first was refused.
    await server.callsReach(2);
    await connection.close();
    expect(await outcome).toEqual({ answered: false, code: 1, message: expect.stringMatching(/CANCELLED: the connection to Temporal was closed before this call could be made/) });
    // The retry due after the close was never sent.
    expect(server.calls()).toBe(2);
  });

  it('keeps retrying a refused call while the connection stays open, until the call\'s own deadline', async () => {
    const server = await refusingServer();
    cleanup.push(server.close);
    const connection = Connection.lazy({ address: server.address, interceptors: [retryUntilClosed()] });
    cleanup.push(() => connection.close());
    // A deadline short of the SDK's ten attempts (about 20 s of backoff): the call ends with its own status, not ours.
    const error = await connection
      .withDeadline(Date.now() + 1_500, () => connection.workflowService.getSystemInfo({}))
      .then(() => undefined, (failure: { code?: number; message: string }) => failure);
    expect(error).toMatchObject({ code: 4, message: expect.stringMatching(/DEADLINE_EXCEEDED/) });
    expect(server.calls()).toBeGreaterThanOrEqual(3);
  });
});
