/**
 * The errors the incident record store raises for input it cannot take, and the one way its zod schemas turn into them.
 */
import type { z } from 'zod';

/** A record or query the store cannot take (the API answers 400). */
export class IncidentRecordInputError extends Error {
  readonly code = 'invalid_input';
  constructor(message: string) {
    super(message);
    this.name = 'IncidentRecordInputError';
  }
}

/** A list cursor this service did not issue, that was altered, or that belongs to another sort order. */
export class InvalidCursorError extends IncidentRecordInputError {
  constructor(message = 'cursor: not a cursor this service issued for this sort order; start again without one') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

/**
 * The parsed value, or an `IncidentRecordInputError` with every problem as "field: reason". Only the top-level field is
 * named (`participants`, not `participants.2`): it is what the caller set (a record's property, a query's filter), and
 * the reason quotes the value that was wrong. `context` (e.g. which record) ends the message when given.
 */
export function parseOrRefuse<T extends z.ZodType>(schema: T, value: unknown, context?: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${String(issue.path[0])}: ${issue.message}` : issue.message));
  const message = [...new Set(problems)].join('; ');
  throw new IncidentRecordInputError(context ? `${message} (${context})` : message);
}
