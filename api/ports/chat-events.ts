/**
 * Mattermost's events as the front door takes them (channel-events.ts reacts to them): the few kinds it cares about,
 * checked and typed, and the stream that delivers them. The websocket listener
 * (integrations/mattermost/mattermost-events.ts) produces them; the composition roots connect the two.
 */

/** What the incident service cares about, checked and typed; everything else Mattermost sends is dropped. */
export type ChatEvent =
  | {
      kind: 'posted';
      channelId: string;
      /** '' for direct and group messages. */
      teamId: string;
      /** 'O' public, 'P' private, 'D' direct, 'G' group. */
      channelType: string;
      post: { id: string; userId: string; message: string; type: string; rootId: string; createAt: number };
    }
  | { kind: 'member_added' | 'member_removed'; channelId: string; userId: string };

export interface ChatEventHandlers {
  /** Called synchronously for each event, in order; must not throw (errors are logged and dropped). */
  onEvent(event: ChatEvent): void;
  /**
   * The stream (re)started and events may have been missed: at the first connection (the process was not listening
   * before) and after a gap Mattermost could not fill. `since` is when the last event was heard, if ever.
   */
  onGap(gap: { first: boolean; since?: number }): void;
  /** The socket's state changed; for logs and readiness. */
  onConnection?(change: { connected: boolean; failures: number; reason?: string }): void;
}

export interface ChatEventStream {
  readonly connected: boolean;
  close(): void;
}
