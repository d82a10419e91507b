/**
 * Work run one at a time per key within one process, in the order it came: each starts once the one before it settled,
 * whatever its outcome. A key is forgotten once nothing waits on it. (The sidebar writes of one person, the migrations
 * of one SQLite file.) Pure: no I/O, no clock.
 */
export class OneAtATime {
  /** Per key, the work that runs last, settled either way. */
  private readonly last = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.last.get(key) ?? Promise.resolve()).then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, settled);
    void settled.then(() => {
      if (this.last.get(key) === settled) this.last.delete(key);
    });
    return run;
  }
}
