/** Meeting (Zoom) activities. The meeting's agenda carries the incident's key, which is how a retry finds it. */
import type { MeetingPort } from '../integrations/ports.js';
import { runStep } from './run-step.js';

export function createMeetingActivities(meetings: MeetingPort) {
  return {
    async startMeeting(request: { key: string; topic: string; agenda: string }): Promise<{ meetingId: string; joinUrl: string; reused: boolean }> {
      return runStep('meeting', request.key, async () => {
        const existing = await meetings.findMeetingByKey(request.key);
        if (existing) return { meetingId: existing.id, joinUrl: existing.joinUrl, reused: true };
        const meeting = await meetings.createMeeting({ topic: request.topic, agenda: request.agenda, key: request.key });
        return { meetingId: meeting.id, joinUrl: meeting.joinUrl, reused: false };
      });
    },
  };
}
