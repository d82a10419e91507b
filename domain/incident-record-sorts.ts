/** The orders a list of incidents can be read in (REST `?sort=`, the store's queries); `-` is newest or worst first. */
export const INCIDENT_RECORD_SORTS = ['reported_at', '-reported_at', 'severity', '-severity', 'updated', '-updated'] as const;

export type IncidentRecordSort = (typeof INCIDENT_RECORD_SORTS)[number];
