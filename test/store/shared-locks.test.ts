/**
 * Locks shared by worker processes (store/shared-locks.ts), on SQLite and on Postgres: one holder at a time per key
 * across two connections (as two workers), other keys not held up, a dead holder's lock taken once its lease ran out
 * and never freed by it afterwards, a live holder's lease renewed while its work runs (up to the longest hold), a failed
 * work freeing its lock.
 */
import { afterEach, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { StoreSharedLocks } from '../../store/shared-locks.js';
import { describeOnEachDialect } from '../helpers/store-dialects.js';

/** A promise and the functions that settle it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describeOnEachDialect('shared locks', (open) => {
  const opened: OpenedDatabase[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
  });
  /** The same database opened twice: two workers' connections. */
  async function twoWorkers() {
    const first = await open();
    const second = await openDatabase({ url: first.url });
    opened.push(first, second);
    return [first.db, second.db] as const;
  }

  it('lets one holder in at a time per key, across two connections, and every one in turn', async () => {
    const [a, b] = await twoWorkers();
    const locks = [new StoreSharedLocks(a), new StoreSharedLocks(b)];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        locks[i % 2]!.withLock('sidebar:dave:team', async () => {
          inside++;
          most = Math.max(most, inside);
          // Long enough for the others to try meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('does not hold up another key', async () => {
    const [a, b] = await twoWorkers();
    const held = deferred();
    const holds = deferred();
    const first = new StoreSharedLocks(a).withLock('sidebar:dave:team', () => {
      holds.resolve();
      return held.promise;
    });
    await holds.promise;
    // Answers while dave's lock is held; with a wait this short it would fail if it waited for it.
    await expect(new StoreSharedLocks(b, { waitMs: 50 }).withLock('sidebar:erin:team', async () => 'erin')).resolves.toBe('erin');
    held.resolve();
    await first;
  });

  it('takes a lock whose holder died once its lease ran out, not before, and the late holder cannot free it', async () => {
    const [a, b] = await twoWorkers();
    let clock = 1_000_000;
    const now = () => clock;
    const stalled = deferred();
    const deadHolds = deferred();
    // A worker that took the lock and stopped (its work never ends while we look).
    const dead = new StoreSharedLocks(a, { leaseMs: 30_000, now }).withLock('sidebar:dave:team', () => {
      deadHolds.resolve();
      return stalled.promise;
    });
    await deadHolds.promise;
    const other = new StoreSharedLocks(b, { leaseMs: 30_000, waitMs: 60, now });
    await expect(other.withLock('sidebar:dave:team', async () => 'too soon')).rejects.toThrow(
      /the shared lock "sidebar:dave:team" was still held by another worker after 60 ms \(a lock is freed when its holder is done, or 30 s after it was taken by a worker that died\)/,
    );
    clock += 30_000;
    const taken = deferred();
    const otherHolds = deferred();
    const takenOver = other.withLock('sidebar:dave:team', () => {
      otherHolds.resolve();
      return taken.promise.then(() => 'taken over');
    });
    await otherHolds.promise;
    // The stalled worker finishes now and frees "its" lock: the row is the new holder's, so it stays.
    stalled.resolve();
    await dead;
    await expect(new StoreSharedLocks(a, { waitMs: 60, now }).withLock('sidebar:dave:team', async () => 'third')).rejects.toThrow(/still held/);
    taken.resolve();
    await expect(takenOver).resolves.toBe('taken over');
    await expect(new StoreSharedLocks(a, { waitMs: 60, now }).withLock('sidebar:dave:team', async () => 'free again')).resolves.toBe('free again');
  });

  it('keeps a live holder in while its work runs longer than a lease, until the longest hold', async () => {
    const [a, b] = await twoWorkers();
    const done = deferred();
    const holds = deferred();
    // Work that takes many leases (100 ms each): its holder renews the lease, so the other worker's wait of 600 ms ends
    // with the lock still held (without renewing, it would take the lock after 100 ms).
    const slow = new StoreSharedLocks(a, { leaseMs: 100, maxHoldMs: 60_000 }).withLock('sidebar:dave:team', () => {
      holds.resolve();
      return done.promise.then(() => 'slow but whole');
    });
    await holds.promise;
    await expect(new StoreSharedLocks(b, { leaseMs: 100, waitMs: 600 }).withLock('sidebar:dave:team', async () => 'too soon')).rejects.toThrow(/still held/);
    done.resolve();
    await expect(slow).resolves.toBe('slow but whole');

    // Work that never ends stops being renewed after the longest hold, and its lock frees itself a lease later.
    const stuck = deferred();
    const stuckHolds = deferred();
    const forever = new StoreSharedLocks(a, { leaseMs: 100, maxHoldMs: 250 }).withLock('sidebar:erin:team', () => {
      stuckHolds.resolve();
      return stuck.promise;
    });
    await stuckHolds.promise;
    await expect(new StoreSharedLocks(b, { leaseMs: 100, waitMs: 5_000 }).withLock('sidebar:erin:team', async () => 'taken over')).resolves.toBe('taken over');
    stuck.resolve();
    await forever;
  });

  it('frees the lock when the work fails, and passes the failure on', async () => {
    const [a, b] = await twoWorkers();
    await expect(new StoreSharedLocks(a).withLock('sidebar:dave:team', async () => Promise.reject(new Error('Mattermost said no')))).rejects.toThrow('Mattermost said no');
    await expect(new StoreSharedLocks(b, { waitMs: 60 }).withLock('sidebar:dave:team', async () => 'next')).resolves.toBe('next');
  });
});
