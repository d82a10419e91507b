/**
 * Errors that incident commands and boundaries raise. Each carries a code that the API maps to an HTTP status and the
 * workflow maps to a Temporal failure type, so a caller always learns what was wrong, never a stack trace.
 */
import type { z } from 'zod';

export type IncidentErrorCode = 'invalid_input' | 'not_found' | 'conflict';

export class IncidentCommandError extends Error {
  constructor(
    readonly code: IncidentErrorCode,
    message: string,
    /** For invalid input: one line per problem, each "path: reason". */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'IncidentCommandError';
  }
}

/** Temporal failure types, one per code: the API matches on these to pick 400, 404 or 409. */
export const FAILURE_TYPE_BY_CODE: Record<IncidentErrorCode, string> = {
  invalid_input: 'IncidentInvalidInput',
  not_found: 'IncidentNotFound',
  conflict: 'IncidentTransitionNotAllowed',
};

export const CODE_BY_FAILURE_TYPE: Record<string, IncidentErrorCode> = Object.fromEntries(
  Object.entries(FAILURE_TYPE_BY_CODE).map(([code, type]) => [type, code as IncidentErrorCode]),
);

/** "checklists.1.tasks.0.title: a task needs a title" for every issue, in order. */
export function describeZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

export function invalidInput(what: string, error: z.ZodError, prefix = ''): IncidentCommandError {
  const problems = describeZodIssues(error, prefix);
  return new IncidentCommandError('invalid_input', `invalid ${what}: ${problems.join('; ')}`, problems);
}

/** What anything thrown says: an Error's message, else the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
