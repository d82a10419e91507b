/**
 * How long a launch takes, from the report to the channel being ready (the checklist posted and pinned) and to every
 * launch step done, by playbook: recorded through the workflow's Temporal metric meter, which the worker's Prometheus
 * exporter serves. Workflow metrics are not emitted while a workflow replays and write nothing into its history, so a
 * replay never counts a launch twice and old histories replay alike.
 */
import { metricMeter } from '@temporalio/workflow';
import type { IncidentState } from '../domain/incident.js';

export type LaunchPhase = 'channel_ready' | 'launched';

export function recordLaunchDuration(state: IncidentState, phase: LaunchPhase): void {
  const histogram = metricMeter.createHistogram('incident_launch_duration', 'int', 'ms', 'From the report to the channel ready (checklist pinned) and to every launch step done, by playbook');
  histogram.record(Math.max(0, Date.now() - Date.parse(state.reportedAt)), { phase, playbook: state.playbook.id });
}
