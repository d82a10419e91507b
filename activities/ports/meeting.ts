/**
 * The meeting role (Zoom today): the incident's bridge, found again by the idempotency key in its agenda. Declared by
 * the activities that use it; the meeting adapter implements it.
 */

export interface Meeting {
  id: string;
  joinUrl: string;
}

export interface MeetingPort {
  /**
   * Meetings carry the idempotency key in their agenda, which is how a retry finds one. Meetings are listed per host, so
   * a retry names the same host as the create (the adapter's configured default host when absent).
   */
  findMeetingByKey(key: string, host?: string): Promise<Meeting | undefined>;
  /** `host`: the e-mail of the user who hosts the meeting; the adapter's configured default host when absent. */
  createMeeting(request: { topic: string; agenda: string; key: string; host?: string }): Promise<Meeting>;
}
