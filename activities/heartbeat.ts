/**
 * Heartbeats while a call is in flight. The launch activities have a short heartbeat timeout so that when a worker dies
 * mid-call, Temporal notices within seconds and retries on another worker, instead of waiting out the whole
 * start-to-close timeout. Heartbeats are also how a cancellation reaches the activity: the adapters' requests made
 * inside `work` are stopped when it comes (see activities/ports/cancellation.ts).
 *
 * The first beat comes after HEARTBEAT_EVERY_MS, not when the call starts: Temporal counts the heartbeat timeout from
 * the activity's start, so a call that is over within a second (nearly every chat, ticket and page call) needs no beat
 * to be known alive, and each beat is a request to the server that writes the activity's state (a launch's fifteen
 * activities made fourteen of them, for nothing). A call that takes longer beats every second as before.
 */
import { Context } from '@temporalio/activity';
import { runCancellable } from './ports/cancellation.js';

export const HEARTBEAT_EVERY_MS = 1_000;

export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await runCancellable(context.cancellationSignal, work);
  } finally {
    clearInterval(timer);
  }
}
