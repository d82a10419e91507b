/** Meeting (Zoom) activities. The meeting's agenda carries the incident's key, which is how a retry finds it. */
import type { MeetingPort } from './ports/meeting.js';
import { mayExistAlready, runStep } from './run-step.js';

export function createMeetingActivities(meetings: MeetingPort) {
  return {
    /**
     * `host`: the e-mail of the Zoom user who hosts the meeting (the playbook's `zoom.host`); the adapter's default host
     * when absent. A host Zoom does not know fails the step without retries, naming the host.
     */
    async startMeeting(request: {
      key: string;
      topic: string;
      agenda: string;
      host?: string;
      /** A first launch's step: its first attempt need not look for a meeting an earlier attempt made. */
      fresh?: boolean;
    }): Promise<{ meetingId: string; joinUrl: string; reused: boolean }> {
      return runStep('zoom', 'meeting', request.key, async () => {
        // The lookup asks the same host as the create: Zoom lists meetings per host.
        const host = request.host || undefined;
        const existing = mayExistAlready(request) ? await meetings.findMeetingByKey(request.key, host) : undefined;
        if (existing) return { meetingId: existing.id, joinUrl: existing.joinUrl, reused: true };
        const meeting = await meetings.createMeeting({
          topic: request.topic,
          agenda: request.agenda,
          key: request.key,
          ...(host ? { host } : {}),
        });
        return { meetingId: meeting.id, joinUrl: meeting.joinUrl, reused: false };
      });
    },
  };
}
