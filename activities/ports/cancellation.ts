/**
 * The cancellation of the call an adapter is making on behalf of an activity. Temporal cancels an activity when its
 * workflow no longer wants it or its timeout passed; the activity runs its adapter calls inside
 * `runCancellable(signal, …)`, and every adapter asks `callSignal()` for the signal of one HTTP request, so a cancelled
 * activity stops its request instead of letting it run to the adapter's own timeout. Ambient (async-local) rather than
 * a parameter of every port method: the ports stay about incidents, and code outside an activity (the API, scripts)
 * simply gets the timeout alone.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const cancellation = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` so that adapter calls made inside it stop when `signal` aborts. */
export function runCancellable<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return cancellation.run(signal, work);
}

/** The signal for one outgoing request: aborts after `timeoutMs`, or when the surrounding activity is cancelled. */
export function callSignal(timeoutMs: number): AbortSignal {
  const cancelled = cancellation.getStore();
  const timeout = AbortSignal.timeout(timeoutMs);
  return cancelled ? AbortSignal.any([timeout, cancelled]) : timeout;
}

/** The surrounding activity's cancellation, for clients that cannot take a signal but can be aborted. */
export function currentCancellation(): AbortSignal | undefined {
  return cancellation.getStore();
}
