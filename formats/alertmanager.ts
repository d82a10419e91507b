/**
 * Prometheus Alertmanager's webhook payload (version 4), exactly as Alertmanager sends it, and what an incident takes
 * from it: one delivery of the group's alerts, the labels that choose the playbook, and a name and summary for a new
 * incident. Also the generic JSON alert, for monitoring that is not Alertmanager. Pure code.
 */
import { z } from 'zod';
import { webLinkSchema } from '../domain/web-links.js';
import { MAX_ALERTS_PER_DELIVERY, type RecordAlertsPayload } from '../domain/alerts.js';

const labels = z.record(z.string().max(200), z.string().max(2000));

export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labels,
  annotations: labels.default({}),
  startsAt: z.string().max(40),
  endsAt: z.string().max(40).optional(),
  generatorURL: webLinkSchema.optional(),
  fingerprint: z.string().min(1).max(200),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: (issue) => `expected Alertmanager's webhook version "4", got ${JSON.stringify(issue.input)}` }),
  groupKey: z.string().min(1).max(1000),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(200),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.union([z.literal(''), webLinkSchema]).default(''),
  alerts: z.array(alertmanagerAlertSchema).min(1).max(MAX_ALERTS_PER_DELIVERY),
});
export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;

export const genericAlertSchema = z.object({
  /** Deliveries with the same key belong to one incident while it is open. */
  dedupKey: z.string().trim().min(1).max(200),
  status: z.enum(['firing', 'resolved']).default('firing'),
  title: z.string().trim().min(1).max(200),
  summary: z.string().trim().max(4000).optional(),
  /** Labels choose the playbook, like Alertmanager's; `severity` is read like its severity label. */
  labels: labels.default({}),
  url: webLinkSchema.optional(),
  source: z.string().trim().max(100).optional(),
});
export type GenericAlert = z.output<typeof genericAlertSchema>;

/** What an alert delivery means to the incident service, whichever endpoint it came through. */
export interface AlertIntakeRequest {
  delivery: RecordAlertsPayload;
  /** The labels rules match on. */
  labels: Record<string, string>;
  /** Name and summary for an incident this delivery starts. */
  name: string;
  summary: string;
}

/** Labels the whole group shares, else the first alert's: what the rules match. */
export function fromAlertmanager(payload: AlertmanagerPayload): AlertIntakeRequest {
  const first = payload.alerts[0]!;
  const matchOn = Object.keys(payload.commonLabels).length ? payload.commonLabels : first.labels;
  const annotations = Object.keys(payload.commonAnnotations).length ? payload.commonAnnotations : first.annotations;
  const alertname = matchOn.alertname?.trim() || first.labels.alertname?.trim() || 'Alert';
  const where = Object.entries(payload.groupLabels)
    .filter(([name]) => name !== 'alertname')
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  // Empty annotations are common; an empty name would make an invalid incident.
  const name = (annotations.summary?.trim() || `${alertname}${where ? ` (${where})` : ''}`).slice(0, 200);
  const summary = [
    annotations.description,
    `${payload.alerts.length} alert${payload.alerts.length === 1 ? '' : 's'} from Alertmanager (receiver ${payload.receiver})${payload.truncatedAlerts ? `, ${payload.truncatedAlerts} more not sent` : ''}.`,
    payload.externalURL ? `Alertmanager: ${payload.externalURL}` : '',
  ]
    .filter(Boolean)
    .join('\n')
    .slice(0, 4000);
  return {
    delivery: {
      source: 'alertmanager',
      groupKey: payload.groupKey,
      status: payload.status,
      alerts: payload.alerts.map((alert) => ({
        fingerprint: alert.fingerprint,
        status: alert.status,
        name: (alert.labels.alertname?.trim() || alertname).slice(0, 200),
        ...(alert.annotations.summary ?? alert.annotations.description
          ? { summary: (alert.annotations.summary ?? alert.annotations.description)!.slice(0, 1000) }
          : {}),
        ...(validTime(alert.startsAt) ? { startsAt: alert.startsAt } : {}),
        // Alertmanager sends the zero time "0001-01-01T00:00:00Z" for alerts that have not ended.
        ...(alert.endsAt && validTime(alert.endsAt) && !alert.endsAt.startsWith('0001-') ? { endsAt: alert.endsAt } : {}),
        ...(alert.generatorURL ? { generatorURL: alert.generatorURL.slice(0, 1000) } : {}),
      })),
    },
    labels: matchOn,
    name,
    summary,
  };
}

export function fromGenericAlert(alert: GenericAlert): AlertIntakeRequest {
  return {
    delivery: {
      source: 'generic',
      groupKey: alert.dedupKey,
      status: alert.status,
      alerts: [
        {
          fingerprint: alert.dedupKey,
          status: alert.status,
          name: alert.title,
          ...(alert.summary ? { summary: alert.summary.slice(0, 1000) } : {}),
          ...(alert.url ? { generatorURL: alert.url.slice(0, 1000) } : {}),
        },
      ],
    },
    labels: alert.labels,
    name: alert.title,
    summary: [alert.summary, alert.source ? `Reported by ${alert.source}.` : ''].filter(Boolean).join('\n').slice(0, 4000),
  };
}

function validTime(value: string): boolean {
  return !Number.isNaN(Date.parse(value));
}
