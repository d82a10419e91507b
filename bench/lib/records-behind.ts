/**
 * How many incidents' records in the worker's store are behind the incident itself: the check that a benchmark's
 * speed did not come from leaving the store stale (from incident-v14 the worker's sink writes each change's record
 * a moment after it, outside the workflow's history).
 */
import type { IncidentService } from '../../api/incident-service.js';
import { openDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';

/** The incidents' revisions now, then the store's, until none is behind or `timeoutMs` passed: how many are behind. */
export async function recordsBehind(storeUrl: string, incidents: IncidentService, ids: readonly string[], timeoutMs = 30_000): Promise<number> {
  const revisions = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 20) {
    const batch = ids.slice(i, i + 20);
    const views = await Promise.all(batch.map((id) => incidents.view(id)));
    views.forEach((view, j) => revisions.set(batch[j]!, view.revision));
  }
  const database = await openDatabase({ url: storeUrl });
  try {
    const records = new IncidentRecordRepository(database.db);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let behind = 0;
      for (const [id, revision] of revisions) if (((await records.revisionOf(id)) ?? -1) < revision) behind++;
      if (behind === 0 || Date.now() > deadline) return behind;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await database.close();
  }
}
