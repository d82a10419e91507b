/**
 * How the chat front door finds incidents: the one running in a channel (for a slash command or a message there) and a
 * team's open ones (`/incident list`). Answered by the store's incident records, which every incident keeps current a
 * moment after each change; Temporal's visibility would answer later and only while Temporal still keeps the incident.
 */
import type { IncidentStatus } from '../../domain/incident.js';
import type { IncidentRecordsPort } from '../ports/incident-records.js';

export interface IncidentDirectory {
  /** The incident whose channel this is (the newest, if a channel ever held two), closed ones included. */
  incidentOfChannel(channelId: string): Promise<string | undefined>;
  /** The team's incidents that are not closed, newest first. */
  openIncidents(team: string, limit: number): Promise<Array<{ id: string; name: string; status: IncidentStatus; severity: string; commander: string; channelName?: string }>>;
  /**
   * Every team's incidents that are not closed and have a channel, newest first, at most `max`, with the channel's
   * members as the incident last saw them (undefined before its first look).
   */
  openChannels(max: number): Promise<Array<{ id: string; channelId: string; members?: string[] }>>;
}

const OPEN: IncidentStatus[] = ['reported', 'active', 'resolved'];

export function incidentDirectory(records: IncidentRecordsPort): IncidentDirectory {
  return {
    async incidentOfChannel(channelId) {
      // Mattermost's IDs are 26 lower-case letters and digits; anything else is no channel of ours.
      if (!/^[a-z0-9]{1,64}$/.test(channelId)) return undefined;
      return (await records.forChannel(channelId))?.id;
    },
    async openIncidents(team, limit) {
      const page = await records.list({ team, status: OPEN, limit });
      return page.items.map(({ id, name, status, severity, commander, view }) => {
        const channelName = (view as { links?: { channelName?: unknown } } | null)?.links?.channelName;
        return { id, name, status, severity, commander, ...(typeof channelName === 'string' && channelName ? { channelName } : {}) };
      });
    },
    async openChannels(max) {
      const found: Array<{ id: string; channelId: string; members?: string[] }> = [];
      let cursor: string | undefined;
      do {
        const page = await records.list({ status: OPEN, limit: Math.min(200, Math.max(1, max - found.length)), ...(cursor ? { cursor } : {}) });
        for (const { id, channelId, view } of page.items) {
          if (!channelId) continue;
          const members = (view as { members?: unknown } | null)?.members;
          found.push({ id, channelId, ...(Array.isArray(members) ? { members: members.filter((m): m is string => typeof m === 'string') } : {}) });
        }
        cursor = page.nextCursor;
      } while (cursor && found.length < max);
      return found.slice(0, max);
    },
  };
}
