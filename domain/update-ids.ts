/**
 * The Update IDs an incident remembers across continue-as-new, as short digests, so a retried Update is applied once.
 */
import type { IncidentState } from './incident.js';

/**
 * Update IDs remembered across continue-as-new (see IncidentState.recentUpdateIds). Enough to cover a client that
 * retries after the API's 10 s deadline even at a few hundred commands a second; kept as digests of about 14
 * characters (some 30 KB in the state).
 */
export const MAX_RECENT_UPDATE_IDS = 2_000;

/** Remembers an applied Update's ID (as a short digest), keeping the newest MAX_RECENT_UPDATE_IDS. */
export function rememberUpdateId(state: IncidentState, id: string): void {
  const ids = (state.recentUpdateIds ??= []);
  ids.push(updateIdDigest(id));
  if (ids.length > MAX_RECENT_UPDATE_IDS) ids.splice(0, ids.length - MAX_RECENT_UPDATE_IDS);
}

/** Whether an Update with this ID was applied recently (in this run or one before it). */
export function updateIdSeen(state: IncidentState, id: string | undefined): boolean {
  return id !== undefined && (state.recentUpdateIds?.includes(updateIdDigest(id)) ?? false);
}

/**
 * A 64-bit digest of an Update ID, about 13 characters whatever the ID's length (Idempotency-Keys may have 128), so
 * that thousands of them fit in the state. Two FNV-style 32-bit hashes with different primes; deterministic, as
 * workflow code must be.
 */
function updateIdDigest(id: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}
