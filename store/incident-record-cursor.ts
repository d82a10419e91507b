/**
 * Keyset cursors of the incident record list: base64url of the JSON array [1, sort, key, id, check], where key is the
 * last row's sort-column value, id its id, and check the first 16 base64url characters of SHA-256 over the JSON of
 * [1, sort, key, id]. The check is not a secret signature; it makes an edited, truncated or foreign cursor fail loudly
 * instead of silently paging from somewhere else. The sort is part of the cursor, so a cursor cannot continue a list in
 * another order.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidCursorError } from './incident-record-errors.js';
import type { IncidentRecordSort } from '../domain/incident-record-sorts.js';

const CURSOR_FORMAT = 1;

/** A decoded cursor's shape; whether its check matches is decided after. */
const cursorSchema = z.tuple([z.literal(CURSOR_FORMAT), z.string(), z.string(), z.string(), z.string()]);

function cursorCheck(body: unknown[]): string {
  return createHash('sha256').update(`incident-records-cursor:${JSON.stringify(body)}`).digest('base64url').slice(0, 16);
}

export function encodeCursor(sort: IncidentRecordSort, key: string, id: string): string {
  const body = [CURSOR_FORMAT, sort, key, id];
  return Buffer.from(JSON.stringify([...body, cursorCheck(body)]), 'utf8').toString('base64url');
}

/** Where the page after the cursor starts; an `InvalidCursorError` for a cursor not issued for this sort. */
export function decodeCursor(cursor: string, sort: IncidentRecordSort): { key: string; id: string } {
  let value: unknown;
  try {
    if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) throw new InvalidCursorError();
  const [format, issuedFor, key, id, check] = parsed.data;
  if (check !== cursorCheck([format, issuedFor, key, id])) throw new InvalidCursorError();
  if (issuedFor !== sort) {
    throw new InvalidCursorError(`cursor: was issued for sort "${issuedFor}", not "${sort}"; start again without one`);
  }
  return { key, id };
}
