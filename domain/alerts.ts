/**
 * Alerts from monitoring, as an incident receives them: Prometheus Alertmanager's webhook (version 4) or the generic
 * JSON endpoint, turned into one `recordAlerts` command per delivery. Repeats (Alertmanager re-sends a firing group every
 * repeat_interval) change nothing but a counter; each alert's first firing and its resolution reach the timeline once.
 * Pure code: the workflow runs it.
 */
import { z } from 'zod';
import { recordEvent } from './timeline.js';
import type { AlertGroup, IncidentAlert, IncidentState } from './incident.js';

/** How many alerts the workflow keeps per incident (newest first); the timeline keeps every change. */
export const MAX_ALERTS_KEPT = 50;
/** Alerts remembered by fingerprint to tell repeats from news: more than a delivery can hold, far below state limits. */
export const MAX_ALERTS_REMEMBERED = 1_000;
/** Alertmanager sends at most this many alerts per group unless configured otherwise; more is refused. */
export const MAX_ALERTS_PER_DELIVERY = 200;

const isoTime = z.string().max(40).refine((value) => !Number.isNaN(Date.parse(value)), { error: 'expected an RFC 3339 time' });

export const incomingAlertSchema = z.object({
  fingerprint: z.string().trim().min(1).max(200),
  status: z.enum(['firing', 'resolved']),
  name: z.string().trim().min(1).max(200),
  summary: z.string().trim().max(1000).optional(),
  startsAt: isoTime.optional(),
  endsAt: isoTime.optional(),
  generatorURL: z.string().max(1000).optional(),
});

export const recordAlertsPayloadSchema = z.object({
  source: z.enum(['alertmanager', 'generic']),
  groupKey: z.string().min(1).max(1000),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(incomingAlertSchema).max(MAX_ALERTS_PER_DELIVERY),
});
export type RecordAlertsPayload = z.output<typeof recordAlertsPayloadSchema>;

/**
 * Deliveries of one alert group applied by one command (`recordAlertBatch`): what its workflow hands over at once when
 * a burst piled up while the incident started (a storm's repeats), one Update for all of them.
 */
export const MAX_DELIVERIES_PER_BATCH = 25;
/** Alerts in one such batch, all deliveries together: five full deliveries, so one command's work stays bounded. */
export const MAX_ALERTS_PER_BATCH = 5 * MAX_ALERTS_PER_DELIVERY;

/** Applies one delivery; returns whether the whole group went from firing to resolved with it. */
export function applyAlertDelivery(state: IncidentState, delivery: RecordAlertsPayload, actor: string, now: string): { groupResolved: boolean } {
  const group: AlertGroup = (state.alertGroup ??= {
    source: delivery.source,
    groupKey: delivery.groupKey,
    status: delivery.status,
    deliveries: 0,
    firstReceivedAt: now,
    lastReceivedAt: now,
    alerts: [],
  });
  group.deliveries += 1;
  group.lastReceivedAt = now;
  const seen = (group.seen ??= {});
  for (const incoming of delivery.alerts) {
    const known = seen[incoming.fingerprint];
    const heard = `${incoming.status}@${incoming.startsAt ?? ''}`;
    // A repeat of what is known already (same status, same start) is not news.
    if (known === heard) continue;
    delete seen[incoming.fingerprint];
    seen[incoming.fingerprint] = heard;
    const keys = Object.keys(seen);
    if (keys.length > MAX_ALERTS_REMEMBERED) delete seen[keys[0]!];
    const alert: IncidentAlert = {
      fingerprint: incoming.fingerprint,
      status: incoming.status,
      name: incoming.name,
      ...(incoming.summary ? { summary: incoming.summary.slice(0, 300) } : {}),
      ...(incoming.startsAt ? { startsAt: incoming.startsAt } : {}),
      ...(incoming.endsAt ? { endsAt: incoming.endsAt } : {}),
      ...(incoming.generatorURL ? { generatorURL: incoming.generatorURL.slice(0, 500) } : {}),
    };
    group.alerts = [alert, ...group.alerts.filter((a) => a.fingerprint !== alert.fingerprint)].slice(0, MAX_ALERTS_KEPT);
    const verb = incoming.status === 'firing' ? (known ? 'firing again' : 'firing') : 'resolved';
    const onResolved = incoming.status === 'firing' && state.status === 'resolved' ? ' (the incident is resolved: reopen it if the impact is back)' : '';
    recordEvent(state, now, 'alert_received', actor, `Alert ${verb}: ${incoming.name}${incoming.summary ? ` — ${incoming.summary}` : ''}${onResolved}`.slice(0, 1200), {
      fingerprint: incoming.fingerprint,
      status: incoming.status,
      source: delivery.source,
    });
  }
  const groupResolved = group.status === 'firing' && delivery.status === 'resolved';
  if (groupResolved) {
    recordEvent(state, now, 'alert_received', actor, `Alert group resolved: every alert of ${delivery.source === 'alertmanager' ? 'the Alertmanager group' : 'the alert'} is resolved`, {
      status: 'resolved',
      source: delivery.source,
    });
  }
  group.status = delivery.status;
  state.revision += 1;
  return { groupResolved };
}
