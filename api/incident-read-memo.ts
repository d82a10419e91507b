/**
 * One read of an incident's view per request. A person's request passes the chat rules first (api/auth/
 * person-may-change.ts), which read the view to find the incident's channel; `GET /incidents/:id` then answers with
 * that same read instead of asking Temporal (or the store) a second time. Only the plain read is shared: a read that
 * needs a newer revision (after a command) is made again.
 */
import type { Response } from 'express';
import type { ViewRead } from './incident-service.js';

const MEMO = 'incidentViewRead';

interface Memo {
  id: string;
  read: Promise<ViewRead>;
}

/** Reads the incident's view through `read`, or takes this request's read of the same incident. */
export function readViewOnce(res: Response, id: string, read: () => Promise<ViewRead>): Promise<ViewRead> {
  const known = res.locals[MEMO] as Memo | undefined;
  if (known?.id === id) return known.read;
  const memo: Memo = { id, read: read() };
  res.locals[MEMO] = memo;
  return memo.read;
}
