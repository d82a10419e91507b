/**
 * Workflow interceptors (a module Temporal loads into the workflow bundle): the activities an Update's workflow task
 * schedules (the record write, a status-update post, a redraw...) carry that Update's ID in a header, and the worker
 * adds it to their log lines (workers/request-trail.ts). REST commands' Update IDs start with the API request's ID, so
 * a request's lines lead to the calls it caused. Headers are not part of what a replay compares, and nothing here
 * writes a command of its own: old histories replay alike.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The header an activity's causing Update ID travels in. */
export const REQUEST_TRAIL_HEADER = 'incident-update-id';

export const interceptors = (): WorkflowInterceptors => {
  // Per workflow (the factory runs for each): the Update handled in this activation, if any.
  let updateId: string | undefined;
  return {
    inbound: [
      {
        handleUpdate(input, next) {
          updateId = input.updateId;
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity(input, next) {
          if (updateId === undefined) return next(input);
          return next({ ...input, headers: { ...input.headers, [REQUEST_TRAIL_HEADER]: defaultPayloadConverter.toPayload(updateId) } });
        },
      },
    ],
    internals: [
      {
        // What a later activation schedules (a timer's reminder) was not caused by this Update.
        concludeActivation(input, next) {
          updateId = undefined;
          return next(input);
        },
      },
    ],
  };
};
