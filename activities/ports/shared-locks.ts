/**
 * One holder at a time per key across every worker process (the port the chat adapter uses; the store implements it,
 * store/shared-locks.ts, and the worker's process entry passes it in).
 *
 * For changes an outside API offers only as read, change, write back whole: a person's sidebar category in Mattermost.
 * Two workers placing two incidents' channels for the same person at once each write back the list they read, and one
 * channel is lost without either noticing (a real Mattermost 9.11: 6 of 12 with four workers). A lock in this process cannot keep
 * another process out; one in the store every worker shares can.
 */
export interface SharedLocks {
  /**
   * Runs `work` holding the key's lock, waiting for it while another holds it. A holder that is alive keeps it while
   * its work runs (within a bound the implementation sets); one that died keeps it only until its lease runs out. Throws, without running `work`, when the lock does not come within the wait (the caller's retry
   * tries again).
   */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
}
