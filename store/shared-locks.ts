/**
 * Locks every worker process shares, kept in the store they all write to (SQLite for one machine, Postgres for several):
 * the SharedLocks port (activities/ports/shared-locks.ts). A lock is a row; taking it is one statement that decides, as
 * the records' versioned upsert does:
 *
 *     insert into shared_locks (lock_key, holder, expires_at) values (...)
 *     on conflict (lock_key) do update set holder = excluded.holder, expires_at = excluded.expires_at
 *       where shared_locks.expires_at <= <now>
 *     returning holder
 *
 * A row comes back only to the one who took it: nobody held it, or its holder's lease ran out (a worker that died or
 * stalled holding it). Freeing it deletes the row, only the holder's. Waiters try again after a short, growing, jittered
 * pause. Leases are read against each worker's own clock: clocks seconds apart only move when a dead holder's lock is
 * taken over.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SharedLocks } from '../activities/ports/shared-locks.js';
import type { Database } from './schema.js';

/**
 * How long a lock is held at most before others may take it. Longer than its work takes (a sidebar's read and write, each
 * bounded by INTEGRATION_TIMEOUT_MS, 10 s by default), so it only runs out on a holder that died.
 */
export const SHARED_LOCK_LEASE_MS = 30_000;
/** How long a caller waits for a lock before giving up (its activity's retry asks again), under its 30 s timeout. */
export const SHARED_LOCK_WAIT_MS = 20_000;
/** The pause between tries grows from the first to the last (then jittered by ±50 %). */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 200;

export interface StoreSharedLocksOptions {
  leaseMs?: number;
  waitMs?: number;
  /** The leases' clock (ms since the epoch); tests move it. */
  now?: () => number;
}

export class StoreSharedLocks implements SharedLocks {
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: StoreSharedLocksOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? SHARED_LOCK_LEASE_MS;
    this.waitMs = options.waitMs ?? SHARED_LOCK_WAIT_MS;
    this.now = options.now ?? Date.now;
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    await this.acquire(key, holder);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      // The work's failure is what the caller needs; a lock not freed now frees itself when its lease runs out.
      await this.release(key, holder).catch(() => undefined);
      throw error;
    }
    await this.release(key, holder);
    return result;
  }

  private async acquire(key: string, holder: string): Promise<void> {
    // The wait runs on the monotonic clock: a wall clock set back must not make it endless.
    const deadline = performance.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      if (await this.tryToTake(key, holder)) return;
      if (performance.now() >= deadline) {
        throw new Error(
          `the shared lock "${key}" was still held by another worker after ${this.waitMs} ms (a lock is freed when its holder ` +
            `is done, or ${this.leaseMs / 1000} s after it was taken by a worker that died)`,
        );
      }
      const pause = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private async tryToTake(key: string, holder: string): Promise<boolean> {
    const now = this.now();
    const taken = await this.db
      .insertInto('shared_locks')
      .values({ lock_key: key, holder, expires_at: now + this.leaseMs })
      .onConflict((conflict) =>
        conflict
          .column('lock_key')
          .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
          .where('shared_locks.expires_at', '<=', now),
      )
      .returning('holder')
      .executeTakeFirst();
    return taken !== undefined;
  }

  private async release(key: string, holder: string): Promise<void> {
    await this.db.deleteFrom('shared_locks').where('lock_key', '=', key).where('holder', '=', holder).execute();
  }
}
