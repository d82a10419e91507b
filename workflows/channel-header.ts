/**
 * The channel header follows the incident: it shows status, commander, severity and links (the playbook's template),
 * so whenever the state renders another header than the one last set, the main loop sets it again, after a moment
 * for a burst of changes to end (like the checklist post).
 */
import { log } from '@temporalio/workflow';
import { renderChannelHeader } from '../domain/checklist-message.js';
import type { IncidentState } from '../domain/incident.js';
import { chat } from './incident-activities.js';
import { failureMessage } from './incident-run.js';

export function channelHeaderIsStale(state: IncidentState): boolean {
  return (
    state.launch.channelHeader.status === 'done' &&
    state.links.channelId !== undefined &&
    state.status !== 'closed' &&
    state.channelHeaderShown !== renderChannelHeader(state)
  );
}

export async function refreshChannelHeader(state: IncidentState): Promise<void> {
  const header = renderChannelHeader(state);
  try {
    await chat.setChannelHeader({ key: `${state.id}:channelHeader:${state.revision}`, channelId: state.links.channelId!, header });
  } catch (error) {
    // The next change tries again; the header is a convenience, the timeline and /incident info are current.
    log.warn('could not set the channel header again', { error: failureMessage(error) });
  }
  state.channelHeaderShown = header;
}
