/** One way for every route to check its input: a zod schema, and a 400 that lists each problem by path. */
import type { z } from 'zod';
import { invalidInput } from '../domain/errors.js';
import { HttpError } from './http-error.js';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidInput(what, parsed.error);
  return parsed.data;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The paths of fields in `input` that the schema's `parsed` output left out (zod drops what it does not know). */
function unknownPaths(input: unknown, parsed: unknown, path: string, found: string[]): void {
  if (Array.isArray(input) && Array.isArray(parsed) && input.length === parsed.length) {
    input.forEach((item, i) => unknownPaths(item, parsed[i], `${path}[${i}]`, found));
    return;
  }
  // Only where both are objects: a field the schema turned into something else (a transform) is its own business.
  if (!isPlainObject(input) || !isPlainObject(parsed)) return;
  for (const [key, value] of Object.entries(input)) {
    const at = path ? `${path}.${key}` : key;
    if (!Object.prototype.hasOwnProperty.call(parsed, key)) {
      if (value !== undefined) found.push(at);
    } else {
      unknownPaths(value, parsed[key], at, found);
    }
  }
}

/**
 * As parseInput, and refuses fields the schema does not know (400 naming each), but for `allowed` top-level ones.
 * For input that goes on as it was sent (a command's payload is an Update's argument, in the incident's history for
 * good): what nobody reads must not be kept either, whatever its size or depth.
 */
export function parseKnownInput<T extends z.ZodType>(schema: T, value: unknown, what: string, allowed: readonly string[] = []): z.output<T> {
  const parsed = parseInput(schema, value, what);
  const found: string[] = [];
  unknownPaths(value, parsed, '', found);
  const unknown = found.filter((path) => !allowed.includes(path));
  if (unknown.length) {
    // An object schema lists what it takes (zod 4 keeps `shape` through refinements); other schemas say nothing.
    const shape = (schema as { shape?: unknown }).shape;
    const known = isPlainObject(shape) ? Object.keys(shape) : [];
    throw new HttpError(
      400,
      'bad_request',
      `${what} has ${unknown.length === 1 ? 'a field' : 'fields'} it does not take`,
      unknown.slice(0, 10).map((path) => `${path}: unknown field${known.length && !path.includes('.') ? `; this request takes ${known.join(', ')}` : ''}`),
    );
  }
  return parsed;
}
