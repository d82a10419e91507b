/**
 * Who is in the incident channel, as the workflow last saw it. People join a running incident by themselves (a link,
 * a mention, a browse); each look at the member list is compared with the previous one, so joins and leaves reach the
 * timeline, and newcomers get the playbook's welcome message and the sidebar category. Pure code.
 */
import { recordEvent } from './timeline.js';
import type { IncidentState } from './incident.js';

/** A channel bigger than this is not tracked member by member (the state must stay small). */
export const MAX_TRACKED_MEMBERS = 2_000;

export function applyChannelMembers(state: IncidentState, members: string[], now: string): { joined: string[]; left: string[] } {
  const current = [...new Set(members)].sort();
  // A channel this big is not followed member by member (a cut-off list would invent joins and leaves).
  if (current.length > MAX_TRACKED_MEMBERS) return { joined: [], left: [] };
  const known = state.members;
  state.members = current;
  // The first look is the baseline: everyone in it was invited by the launch (or was there before the tracking began).
  if (!known) return { joined: [], left: [] };
  const before = new Set(known);
  const after = new Set(current);
  const joined = current.filter((name) => !before.has(name));
  const left = known.filter((name) => !after.has(name));
  for (const username of joined) {
    const event = recordEvent(state, now, 'member_joined', username, `@${username} joined the channel`, { username });
    if (!state.participants.includes(username)) state.participants.push(username);
    if (state.playbook.welcomeMessage) {
      state.followUps.push({ id: `welcomeMember-${event.seq}`, kind: 'welcomeMember', status: 'pending', target: username });
    }
    if (state.launch.sidebar?.status === 'done') {
      state.followUps.push({ id: `placeInSidebar-${event.seq}`, kind: 'placeInSidebar', status: 'pending', target: username });
    }
  }
  for (const username of left) recordEvent(state, now, 'member_left', username, `@${username} left the channel`, { username });
  return { joined, left };
}
