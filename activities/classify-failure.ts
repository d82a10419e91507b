/**
 * Turns adapter errors into Temporal's retry semantics: a failure a retry cannot fix becomes a non-retryable
 * ApplicationFailure with a type naming it; a rate limit carries the server's Retry-After as the next retry delay.
 * Anything else (network errors, timeouts) stays retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { IntegrationError } from './ports/integration-error.js';

export function toActivityFailure(error: unknown): unknown {
  if (!(error instanceof IntegrationError)) return error;
  const type = `${capitalize(error.system)}${error.kind}`;
  if (!error.retryable) return ApplicationFailure.nonRetryable(error.message, type);
  return ApplicationFailure.create({
    message: error.message,
    type,
    nonRetryable: false,
    ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
