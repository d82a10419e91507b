/** Live incident pages as createApp mounts them: the watches on the incidents and their event-stream route. */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { IncidentService } from '../incident-service.js';
import type { IncidentRecordsPort } from '../ports/incident-records.js';
import { incidentEventRoutes } from './incident-event-routes.js';
import { IncidentWatches, type WatchLimits } from './incident-watches.js';

/** One poller per watched incident, on the store record's revision when there is a store, else on the view itself. */
export function livePages(options: { incidents: IncidentService; records?: IncidentRecordsPort; limits?: Partial<WatchLimits>; logger: Logger }): { watches: IncidentWatches; routes: Router } {
  const { incidents, records } = options;
  const watches = new IncidentWatches(
    {
      ...(records ? { revisionOf: (id: string) => records.revisionOf(id) } : {}),
      readView: async (id, atLeastRevision, signal) => (await incidents.readView(id, { ...(atLeastRevision ? { atLeastRevision } : {}), ...(signal ? { signal } : {}) })).view,
    },
    options.limits,
    (incidentId, error) => options.logger.warn({ incidentId, err: error }, 'a live page could not read its incident'),
  );
  return { watches, routes: incidentEventRoutes(watches) };
}
