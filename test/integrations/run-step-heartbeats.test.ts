/**
 * The integration wrapper's heartbeats (activities/heartbeat.ts): a call that is over within a second sends none (each
 * would be a request to the Temporal server for an activity that is plainly alive: Temporal counts the heartbeat
 * timeout from the activity's start), and a longer call beats every second, so a dead worker is still noticed within
 * the launch activities' 5-second heartbeat timeout.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { HEARTBEAT_EVERY_MS } from '../../activities/heartbeat.js';
import { runStep } from '../../activities/run-step.js';

async function heartbeatsDuring(ms: number): Promise<number> {
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => beats++);
  const result = await env.run(() => runStep('mattermost', 'test', 'hb:test', () => new Promise((resolve) => setTimeout(() => resolve('done'), ms))));
  expect(result).toBe('done');
  return beats;
}

it('a call that is over within a second sends no heartbeat', async () => {
  expect(await heartbeatsDuring(50)).toBe(0);
});

it('a call that takes longer beats every second while it runs', async () => {
  const beats = await heartbeatsDuring(2.5 * HEARTBEAT_EVERY_MS);
  expect(beats).toBeGreaterThanOrEqual(2);
  expect(beats).toBeLessThanOrEqual(3);
});
