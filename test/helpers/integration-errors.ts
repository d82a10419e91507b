import { expect } from 'vitest';
import { IntegrationError } from '../../activities/ports/integration-error.js';

/** Awaits a rejection and checks it is a classified IntegrationError; returns it for further assertions. */
export async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}
