/** One way for every route to check its input: a zod schema, and a 400 that lists each problem by path. */
import type { z } from 'zod';
import { invalidInput } from '../domain/errors.js';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidInput(what, parsed.error);
  return parsed.data;
}
