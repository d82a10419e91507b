/** What a playbook gets where its author wrote nothing: severities, channel name, sidebar category, default severity. */
import type { Playbook } from './schema.js';

export const DEFAULT_SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;

export const DEFAULT_CHANNEL_NAME_TEMPLATE = 'incident-{{id}}-{{slug}}';
export const DEFAULT_SIDEBAR_CATEGORY = 'Incidents';

/** The level a new incident gets when none is chosen: the playbook's default, else its third level (or its last). */
export function defaultSeverityOf(playbook: Pick<Playbook, 'severities' | 'defaultSeverity'>): string {
  return playbook.defaultSeverity ?? playbook.severities[Math.min(2, playbook.severities.length - 1)]!;
}
