/**
 * The worker's half of the request trail (workflows/request-trail.ts): an activity scheduled by an Update's workflow
 * task gets that Update's ID on every line it logs (`updateId`), beside the incident's ID.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { REQUEST_TRAIL_HEADER } from '../workflows/request-trail.js';

/** The workflow interceptor module, for the bundle (npm run build) and for a worker that bundles at start. */
export const REQUEST_TRAIL_WORKFLOW_MODULE = fileURLToPath(new URL('../workflows/request-trail.ts', import.meta.url));

export const requestTrailActivityInterceptor: ActivityInterceptorsFactory = () => {
  let updateId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const header = input.headers[REQUEST_TRAIL_HEADER];
        if (header) {
          const value = defaultPayloadConverter.fromPayload(header);
          if (typeof value === 'string') updateId = value.slice(0, 200);
        }
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next(updateId ? { ...input, updateId } : input);
      },
    },
  };
};
