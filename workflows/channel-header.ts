/**
 * The channel header follows the incident: it shows status, commander, severity and links (the playbook's template),
 * so whenever the state renders another header than the one last set, the main loop sets it again, after a moment
 * for a burst of changes to end (like the checklist post).
 */
import { log } from '@temporalio/workflow';
import { renderChannelHeader } from '../formats/checklist-message.js';
import type { IncidentState } from '../domain/incident.js';
import type { LaunchStepName } from '../domain/launch-steps.js';
import { chat } from './incident-activities.js';
import { failureMessage } from './incident-run.js';

/** The launch steps whose outcome a header can show. */
export type HeaderSource = Extract<LaunchStepName, 'ticket' | 'meeting' | 'oncall'>;

/**
 * The launch steps whose outcome the header shows, and so the ones the launch's header waits for: the ticket and the
 * bridge links, and the on-call lookup when it names the commander (the playbook's `defaultCommander: oncall`) and the
 * header shows the commander. Nothing else (invitations, sidebar, page, checklist) changes it; what changes later
 * (status, severity, a new commander) the main loop draws again.
 */
export function headerWaitsFor(state: IncidentState): HeaderSource[] {
  const onCallCommands = state.playbook.defaultCommander?.type === 'oncall' && headerShowsCommander(state);
  return onCallCommands ? ['ticket', 'meeting', 'oncall'] : ['ticket', 'meeting'];
}

/** Whether the header reads the commander: a template may leave it out. */
function headerShowsCommander(state: IncidentState): boolean {
  // Two commanders no username can be (usernames never hold a space) tell whether the rendering depends on it.
  return renderChannelHeader({ ...state, commander: 'commander one' }) !== renderChannelHeader({ ...state, commander: 'commander two' });
}

/**
 * Whether the header shows another incident than the state's. `atClose` (runs from incident-v21): a closed incident's
 * header is drawn too (it would go on saying "resolved"), unless the playbook archives the channel at the close.
 */
export function channelHeaderIsStale(state: IncidentState, atClose = false): boolean {
  const open = state.status !== 'closed' || (atClose && !state.playbook.archiveChannelOnClose);
  return state.launch.channelHeader.status === 'done' && state.links.channelId !== undefined && open && state.channelHeaderShown !== renderChannelHeader(state);
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
