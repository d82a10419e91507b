/**
 * The API's error shape: `{ "error": { "code", "message", "problems"?, "fields"? } }` with the HTTP status that says what
 * kind of problem it is. `fields` repeats `problems` as `{ path, message }` pairs where each problem has a place in the
 * input (a refused playbook), so an editor can show each one at its field without parsing the strings. Every failure a caller can cause maps to one of these; anything else is a 500 without internals.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
  ServiceError,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { CODE_BY_FAILURE_TYPE, IncidentCommandError, type IncidentErrorCode, messageOf } from '../domain/errors.js';

/** One problem at its place in the input: `checklists[0].tasks[2].title` (empty for the input as a whole). */
export interface FieldProblem {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: string[] = [],
    /** For 429 and 503: when to try again (the Retry-After header). */
    readonly retryAfterSeconds?: number,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toJSON(): { error: { code: string; message: string; problems?: string[]; fields?: FieldProblem[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems.length ? { problems: this.problems } : {}),
        ...(this.fields.length ? { fields: this.fields } : {}),
      },
    };
  }
}

const STATUS_BY_CODE: Record<IncidentErrorCode, number> = { invalid_input: 400, not_found: 404, conflict: 409 };

// gRPC status codes the Temporal service answers with.
const GRPC_NOT_FOUND = 5;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
/** Among others: the incident's query buffer is full (Temporal holds one query while a workflow task runs). */
const GRPC_RESOURCE_EXHAUSTED = 8;

function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

/** `error` with what it came from: never shown to the caller (toJSON leaves it out), named by the API's log line. */
export function withCause(error: HttpError, cause: unknown): HttpError {
  return Object.assign(error, { cause });
}

/** Whether the incident ran the Update and refused it or failed it: nothing of it was applied. */
export function updateWasRefused(error: unknown): boolean {
  return error instanceof HttpError && (error.status < 500 || (error as { cause?: unknown }).cause instanceof WorkflowUpdateFailedError);
}

/** Translates whatever a Temporal call threw into the HttpError the caller should see. */
export function toHttpError(error: unknown, incidentId?: string): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof IncidentCommandError) {
    return new HttpError(STATUS_BY_CODE[error.code], error.code, error.message, error.problems);
  }
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const code = CODE_BY_FAILURE_TYPE[error.cause.type ?? ''];
    const details = error.cause.details?.[0] as { problems?: string[] } | undefined;
    if (code) return new HttpError(STATUS_BY_CODE[code], code, error.cause.message, details?.problems ?? []);
    // The incident ran the Update and it failed (nothing applied): the cause says so to whoever looks (alert batches).
    return withCause(new HttpError(500, 'internal', `the incident refused the command: ${error.cause.message}`), error);
  }
  if (error instanceof WorkflowNotFoundError) {
    return new HttpError(404, 'not_found', `incident ${incidentId ?? ''} not found`.replace('  ', ' '));
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new HttpError(409, 'conflict', `incident ${incidentId ?? ''} already exists`.replace('  ', ' '));
  }
  const message = messageOf(error);
  if (/workflow execution already completed/i.test(message)) {
    return new HttpError(409, 'conflict', `incident ${incidentId} is closed; nothing can change any more`);
  }
  const code = grpcCode(error);
  if (code === GRPC_NOT_FOUND) return new HttpError(404, 'not_found', `incident ${incidentId} not found`);
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || code === GRPC_DEADLINE_EXCEEDED) {
    return new HttpError(
      504,
      'timeout',
      `incident ${incidentId} did not answer in time; check that an incident worker is running`,
    );
  }
  if (code === GRPC_UNAVAILABLE && /buffered query cleared/i.test(`${message} ${String((error as { cause?: unknown })?.cause ?? '')}`)) {
    // A query that waited while the incident continued as new: the incident is there, ask again.
    return new HttpError(503, 'unavailable', `incident ${incidentId} was busy starting its next run; try again in a second`, [], 1);
  }
  if (code === GRPC_UNAVAILABLE) return new HttpError(503, 'unavailable', 'the Temporal service is unreachable');
  if (code === GRPC_RESOURCE_EXHAUSTED) {
    return new HttpError(503, 'unavailable', `incident ${incidentId} is too busy to answer right now; try again in a second`, [], 1);
  }
  // The caller hears nothing of it; the API's log line for the request names what it was (the cause).
  return withCause(new HttpError(500, 'internal', 'internal error'), error);
}
