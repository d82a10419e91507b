/**
 * User-group (Mattermost) activities: who is in the groups a playbook invites (`invitees.groups`). Only a lookup, so a
 * retry needs no idempotency; the key names the incident in the logs.
 */
import type { ChatPort } from './ports/chat.js';
import { runStep } from './run-step.js';

export function createGroupActivities(chat: ChatPort) {
  return {
    /**
     * Usernames of the members of these groups (deduplicated), and the group names Mattermost does not know. A server
     * without user groups (a licensed feature) reports every group missing instead of failing, so the incident starts.
     */
    async groupMembers(request: { key: string; groups: string[] }): Promise<{ found: string[]; missing: string[] }> {
      if (request.groups.length === 0) return { found: [], missing: [] };
      return runStep('mattermost', 'groupMembers', request.key, () => chat.groupMemberUsernames(request.groups));
    },
  };
}
