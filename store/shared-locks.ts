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
 * stalled holding it). While the work runs its holder renews the lease (a third of a lease apart), so a holder that is
 * alive keeps its lock however slow the outside API is, up to SHARED_LOCK_MAX_HOLD_MS (work that never ends must not
 * keep a person's sidebar locked for good). Freeing it deletes the row, only the holder's. Waiters try again after a short, growing, jittered
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
/**
 * How long a holder that is alive keeps renewing its lease: far longer than any batch of a person's sidebar changes (a
 * few calls of at most 10 s each), short enough that work stuck for good frees the lock within minutes.
 */
export const SHARED_LOCK_MAX_HOLD_MS = 120_000;
/** How long a caller waits for a lock before giving up (its activity's retry asks again), under its 30 s timeout. */
export const SHARED_LOCK_WAIT_MS = 20_000;
/** The pause between tries grows from the first to the last (then jittered by ±50 %). */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 200;

export interface StoreSharedLocksOptions {
  leaseMs?: number;
  waitMs?: number;
  maxHoldMs?: number;
  /** The leases' clock (ms since the epoch); tests move it. */
  now?: () => number;
}

export class StoreSharedLocks implements SharedLocks {
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly maxHoldMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: StoreSharedLocksOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? SHARED_LOCK_LEASE_MS;
    this.waitMs = options.waitMs ?? SHARED_LOCK_WAIT_MS;
    this.maxHoldMs = options.maxHoldMs ?? SHARED_LOCK_MAX_HOLD_MS;
    this.now = options.now ?? Date.now;
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    await this.acquire(key, holder);
    const renewing = this.renewWhileHeld(key, holder);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      clearInterval(renewing);
      // The work's failure is what the caller needs; a lock not freed now frees itself when its lease runs out.
      await this.release(key, holder).catch(() => undefined);
      throw error;
    }
    clearInterval(renewing);
    await this.release(key, holder);
    return result;
  }

  /**
   * Renews the holder's lease a third of a lease apart until the work ends or SHARED_LOCK_MAX_HOLD_MS have passed. A
   * renewal that fails is left to the next one (or to the lease: the lock then frees itself, as a dead holder's does);
   * one that finds the row gone or another's changes nothing.
   */
  private renewWhileHeld(key: string, holder: string): ReturnType<typeof setInterval> {
    const takenAt = performance.now();
    const timer = setInterval(() => {
      if (performance.now() - takenAt >= this.maxHoldMs) {
        clearInterval(timer);
        return;
      }
      void this.renew(key, holder).catch(() => undefined);
    }, this.leaseMs / 3);
    // A renewal never keeps the process alive on its own.
    timer.unref();
    return timer;
  }

  private async renew(key: string, holder: string): Promise<void> {
    await this.db
      .updateTable('shared_locks')
      .set({ expires_at: this.now() + this.leaseMs })
      .where('lock_key', '=', key)
      .where('holder', '=', holder)
      .execute();
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
