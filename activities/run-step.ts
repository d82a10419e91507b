/** The wrapper every integration activity runs in: heartbeats while the call is in flight, classified failures. */
import { log } from '@temporalio/activity';
import { toActivityFailure } from './classify-failure.js';
import { whileHeartbeating } from './heartbeat.js';

export async function runStep<T>(step: string, key: string, work: () => Promise<T>): Promise<T> {
  try {
    return await whileHeartbeating(work);
  } catch (error) {
    log.warn(`${step} failed`, { key, error: error instanceof Error ? error.message : String(error) });
    throw toActivityFailure(error);
  }
}
