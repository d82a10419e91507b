/**
 * The incident's clocks: status-update, due-task and retrospective reminders (derived from the state, see
 * domain/reminders.ts) and the periodic look at the channel's members. One durable timer wakes the main loop for the
 * earliest of them; timers are durable, so a reminder fires on time even if every worker was down when it fell due,
 * as soon as one is back.
 */
import { CancellationScope, log, sleep } from '@temporalio/workflow';
import { applyChannelMembers } from '../domain/membership.js';
import { nextReminderAt, reminderMessage, takeDueReminders } from '../domain/reminders.js';
import { chat } from './incident-activities.js';
import { failureMessage, nowIso, syncSearchAttributes, tellChannel, type IncidentRun } from './incident-run.js';

/** Members are looked at this often while the incident is open, ten times less often once it is resolved. */
const DEFAULT_MEMBERSHIP_CHECK_MS = 60_000;
/**
 * A look asked for by a membersChanged signal comes at most this soon after the previous one: a burst of joins (the
 * launch's invitations, someone leaving and coming back) makes a look or two, not one per event.
 */
const MIN_ASKED_LOOK_GAP_MS = 2_000;

export class IncidentClocks {
  private readonly membershipInterval: number;
  private nextMembershipCheck: number;
  private lastMembershipCheck = 0;
  /** A look was asked for since the wake timer was last armed: the main loop turns once to arm it for the new time. */
  lookAsked = false;
  private wakeTimer: { at: number; scope: CancellationScope; fired: boolean } | undefined;

  constructor(private readonly run: IncidentRun) {
    this.membershipInterval = run.options.membershipCheckIntervalMs ?? DEFAULT_MEMBERSHIP_CHECK_MS;
    this.nextMembershipCheck = Date.now() + this.membershipInterval;
  }

  /** The earliest reminder or membership look, in epoch milliseconds; undefined when nothing is scheduled. */
  nextWakeAt(): number | undefined {
    if (!this.run.lifecycle) return undefined;
    const times = [nextReminderAt(this.run.state), this.membersTracked() ? this.nextMembershipCheck : undefined].filter(
      (t): t is number => t !== undefined,
    );
    return times.length ? Math.min(...times) : undefined;
  }

  /**
   * One durable timer for the next reminder or membership look, kept while that time stays the same: starting and
   * cancelling a timer on every turn of the loop would add two history events to every command.
   */
  armWakeTimer(): void {
    this.lookAsked = false;
    const at = this.nextWakeAt();
    if (this.wakeTimer?.at === at) return;
    if (this.wakeTimer && !this.wakeTimer.fired) this.wakeTimer.scope.cancel();
    this.wakeTimer = undefined;
    if (at === undefined || at <= Date.now()) return;
    const scope = new CancellationScope();
    const timer = { at, scope, fired: false };
    this.wakeTimer = timer;
    scope.run(() => sleep(at - Date.now())).then(
      () => {
        timer.fired = true;
      },
      () => undefined,
    );
  }

  /** Whether a reminder or a membership look is due now. */
  wakeTimerDue(): boolean {
    const at = this.nextWakeAt();
    return at !== undefined && (at <= Date.now() || (this.wakeTimer?.at === at && this.wakeTimer.fired));
  }

  /** Posts the reminders that fell due (one post for all of them). True when any were due. */
  async sendDueReminders(): Promise<boolean> {
    const { state } = this.run;
    const reminders = takeDueReminders(state, nowIso());
    if (reminders.length === 0) return false;
    // The timeline position of the last reminder makes a key no other post of this incident has.
    await tellChannel(state, `reminder-${state.timelineDropped + state.timeline.length}`, reminderMessage(reminders));
    return true;
  }

  membersTracked(): boolean {
    const { state } = this.run;
    return this.run.lifecycle && state.status !== 'closed' && state.launch.channel.status === 'done' && state.links.channelId !== undefined;
  }

  membershipCheckDue(): boolean {
    return this.membersTracked() && Date.now() >= this.nextMembershipCheck;
  }

  /**
   * Mattermost said someone joined or left: look soon (not later than the periodic look would). Replays of runs from
   * before this signal existed never meet it, so it needs no patch.
   */
  lookAtMembersSoon(): void {
    const soon = Math.max(Date.now(), this.lastMembershipCheck + MIN_ASKED_LOOK_GAP_MS);
    this.nextMembershipCheck = Math.min(this.nextMembershipCheck, soon);
    this.lookAsked = true;
  }

  /**
   * Someone else looked at who is in the channel (from incident-v13 the launch's invitations do the first look): the
   * next looks are timed from now, as after a look of our own, so the joins the invitations themselves announce do not
   * bring another look at once.
   */
  membersSeen(): void {
    this.lastMembershipCheck = Date.now();
    this.nextMembershipCheck = Date.now() + this.membershipInterval;
  }

  /** Looks at who is in the channel: joins and leaves go to the timeline, newcomers get the welcome and the sidebar. */
  async checkMembers(): Promise<void> {
    const { state } = this.run;
    this.lastMembershipCheck = Date.now();
    this.nextMembershipCheck = Date.now() + this.membershipInterval * (state.status === 'resolved' ? 10 : 1);
    try {
      const members = await chat.channelMembers({ key: `${state.id}:members`, channelId: state.links.channelId! });
      const { joined, left } = applyChannelMembers(state, members, nowIso());
      if (joined.length || left.length) syncSearchAttributes(state);
    } catch (error) {
      // The next look tries again; nothing is lost but a little time.
      log.warn('could not look at the channel members', { error: failureMessage(error) });
    }
  }
}
