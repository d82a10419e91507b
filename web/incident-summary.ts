/**
 * What GET /api/v1/incidents answers per incident (api/record-routes.ts: the store's record without its view) and how
 * the app shows its values. Declared here because the web app may read the domain's types but not the store's.
 */
import type { IncidentStatus } from '../domain/incident.js';

export interface IncidentSummary {
  id: string;
  number?: number;
  team: string;
  name: string;
  summary: string;
  status: IncidentStatus;
  severity: string;
  commander: string;
  reporter: string;
  playbookId: string;
  reportedAt: string;
  participants: string[];
}

export interface IncidentPage {
  items: IncidentSummary[];
  nextCursor?: string;
}

export const incidentPath = (id: string) => `/app/incidents/${encodeURIComponent(id)}`;

/** A readable local date and time; the exact instant stays in <time datetime>. */
export function when(instant: string): string {
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? instant : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
