/**
 * Follow-ups: work a command leaves for the outside world, each once (comment on and transition the ticket, close the
 * page, post and copy a status update, tell webhooks, publish the retrospective, export the post-mortem, archive the
 * channel, welcome a newcomer and sort the channel into their sidebar). Each is done, skipped (nothing to do) or failed
 * (told in the timeline and the channel, retried by command), never thrown; its idempotency key is
 * `<incident>:<follow-up id>`, so running it again after a retry or a continue-as-new does nothing twice.
 */
import { bumpRevision, recordEvent } from '../domain/timeline.js';
import { incidentView } from '../domain/incident-view.js';
import type { FollowUp, FollowUpKind } from '../domain/follow-ups.js';
import type { IncidentState } from '../domain/incident.js';
import { renderWelcomeMessage } from '../formats/incident-templates.js';
import { webhookPayload } from '../formats/webhook-payload.js';
import { chat, onCall, postmortem, tickets, webhooks } from './incident-activities.js';
import { alertAlias, failureMessage, isForbidden, nowIso, tellChannel, type IncidentRun } from './incident-run.js';
import { skipSidebar } from './launch-step.js';

/** Finished follow-ups kept in the state (the timeline has them all); pending and failed ones are always kept. */
const FINISHED_FOLLOW_UPS_KEPT = 30;

const FOLLOW_UP_TITLES: Record<FollowUpKind, string> = {
  commentTicket: 'Commenting on the Jira issue',
  transitionTicket: 'Transitioning the Jira issue',
  closeAlert: 'Closing the on-call page',
  postStatusUpdate: 'Posting the status update',
  broadcastStatusUpdate: 'Copying the status update to a broadcast channel',
  deliverWebhook: 'Telling a webhook',
  publishRetrospective: 'Posting the retrospective',
  exportPostmortem: 'Exporting the post-mortem',
  archiveChannel: 'Archiving the channel',
  welcomeMember: 'Sending the welcome message',
  placeInSidebar: 'Putting the channel in a newcomer\'s sidebar',
  leaveSidebars: 'Taking the channel out of sidebars',
};

/**
 * Runs pending follow-ups without waiting for them: one lane per kind (per receiver for webhooks), so updates reach a
 * place in order, while a webhook retrying for half an hour or a long export never holds up status updates,
 * reminders, the checklist post or the record.
 */
export class FollowUpLanes {
  /** Follow-ups started and not finished (their IDs), and the lane each kind's next one queues behind. */
  private readonly inFlight = new Set<string>();
  private readonly lanes = new Map<string, Promise<void>>();
  /** Those of inFlight whose activity runs (not queued behind another in their lane). */
  private readonly running = new Set<string>();

  constructor(private readonly run: IncidentRun) {}

  /** Pending follow-ups not started yet. */
  hasPending(): boolean {
    return this.run.state.followUps.some((followUp) => followUp.status === 'pending' && !this.inFlight.has(followUp.id));
  }

  hasInFlight(): boolean {
    return this.inFlight.size > 0;
  }

  /**
   * Those whose activity runs. From incident-v12, once the run is continuing as new (`run.continuing`), no follow-up
   * starts any more (one whose turn comes stays pending, and the next run runs it under the same key), so the drain
   * waits for these and not for a lane of status-update posts that a flood of commands keeps long.
   */
  hasRunning(): boolean {
    return this.running.size > 0;
  }

  start(): void {
    const { state } = this.run;
    for (const followUp of state.followUps) {
      if (followUp.status !== 'pending' || this.inFlight.has(followUp.id)) continue;
      this.inFlight.add(followUp.id);
      const lane = followUp.kind === 'deliverWebhook' ? `${followUp.kind}:${followUp.target ?? ''}` : followUp.kind;
      const queued = (this.lanes.get(lane) ?? Promise.resolve()).then(async () => {
        if (this.run.continuing) {
          this.inFlight.delete(followUp.id);
          return;
        }
        this.running.add(followUp.id);
        await runFollowUp(this.run, followUp);
        this.running.delete(followUp.id);
        this.inFlight.delete(followUp.id);
        pruneFollowUps(state);
        bumpRevision(state);
      });
      this.lanes.set(lane, queued);
    }
  }

  /** One batch at a time and in order: how incidents from before the lifecycle ran (they replay it). */
  async runAllInOrder(): Promise<void> {
    const { state } = this.run;
    for (const followUp of state.followUps) {
      if (followUp.status !== 'pending') continue;
      await runFollowUp(this.run, followUp);
    }
    pruneFollowUps(state);
    bumpRevision(state);
  }
}

/** The follow-up kinds from before the lifecycle (see runFollowUp). */
const OLDER_KINDS = new Set<FollowUpKind>(['postStatusUpdate', 'commentTicket', 'transitionTicket', 'closeAlert']);

async function nothingYet(): Promise<void> {}

/** Keeps the state small for incidents that run for weeks: finished follow-ups beyond the newest few are dropped. */
function pruneFollowUps(state: IncidentState): void {
  const finished = state.followUps.filter((f) => f.status === 'done' || f.status === 'skipped');
  if (finished.length <= FINISHED_FOLLOW_UPS_KEPT) return;
  const drop = new Set(finished.slice(0, finished.length - FINISHED_FOLLOW_UPS_KEPT));
  state.followUps = state.followUps.filter((f) => !drop.has(f));
}

/** One follow-up: done, skipped (nothing to do) or failed (recorded in the timeline and the channel), never thrown. */
async function runFollowUp(run: IncidentRun, followUp: FollowUp): Promise<void> {
  const { state } = run;
  try {
    // Runs from before the history budget looked at the lifecycle's kinds first and started the older kinds (status
    // update, ticket, page) one await later: activities in parallel lanes were scheduled in that order, and their
    // replay must schedule them in it again.
    if (!run.budget && OLDER_KINDS.has(followUp.kind)) await nothingYet();
    if ((await doFollowUp(run, followUp)) === 'skipped') followUp.status = 'skipped';
    else if (followUp.status === 'pending') followUp.status = 'done';
    if (run.quietRepeats && followUp.status === 'done') forgetFailuresOf(state, followUp);
  } catch (error) {
    const message = failureMessage(error);
    followUp.status = 'failed';
    followUp.error = message;
    recordEvent(state, nowIso(), 'integration_failed', 'system', `${FOLLOW_UP_TITLES[followUp.kind]} failed: ${message}`, {
      step: followUp.kind,
    });
    if (run.quietRepeats && toldBefore(state, followUp, message)) return;
    await tellChannel(
      state,
      `failed-${followUp.id}-${state.revision}`,
      `:warning: ${FOLLOW_UP_TITLES[followUp.kind]} failed: ${message}\nRetry with \`/incident retry ${followUp.kind}\`.`,
    );
  }
}

const MAX_FAILURES_TOLD = 20;
const failureKey = (followUp: FollowUp) => `${followUp.kind}:${followUp.target ?? ''}:`;

/** Whether the channel heard of this very failure already; if not, it will now (remembered, newest last). */
function toldBefore(state: IncidentState, followUp: FollowUp, message: string): boolean {
  const key = `${failureKey(followUp)}${message.slice(0, 200)}`;
  const told = (state.failuresTold ??= []);
  if (told.includes(key)) return true;
  told.push(key);
  if (told.length > MAX_FAILURES_TOLD) told.splice(0, told.length - MAX_FAILURES_TOLD);
  return false;
}

/** A target that works again: its next failure is news. */
function forgetFailuresOf(state: IncidentState, followUp: FollowUp): void {
  if (!state.failuresTold?.length) return;
  state.failuresTold = state.failuresTold.filter((key) => !key.startsWith(failureKey(followUp)));
}

/** Does the work of one follow-up; 'skipped' when there is nothing to do. Throws when the outside world refuses. */
async function doFollowUp(run: IncidentRun, followUp: FollowUp): Promise<'done' | 'skipped'> {
  const { state } = run;
  const key = `${state.id}:${followUp.id}`;
  const channelId = state.launch.channel.status === 'done' ? state.links.channelId : undefined;
  const succeeded = (text: string, data: Record<string, unknown> = {}): 'done' => {
    recordEvent(state, nowIso(), 'integration_succeeded', 'system', text, { step: followUp.kind, ...data });
    return 'done';
  };
  const kind: FollowUpKind = followUp.kind;
  switch (kind) {
    case 'postStatusUpdate': {
      const number = followUp.update ?? Number(followUp.id.split('-').at(-1));
      const update = state.statusUpdates.find((u) => u.number === number);
      if (!update || !channelId) return 'skipped';
      await chat.postChannelNotice({ key, channelId, message: `#### Status update ${number} from @${update.author}\n${update.message}` });
      return 'done';
    }
    case 'commentTicket': {
      if (!state.links.ticketKey) return 'skipped';
      await tickets.commentOnTicket({
        key,
        ticketKey: state.links.ticketKey,
        body: `Incident ${state.id} was resolved by @${state.commander}'s team.${state.summary ? `\n\n${state.summary}` : ''}`,
      });
      return succeeded(`Resolution noted on ${state.links.ticketKey}`);
    }
    case 'transitionTicket': {
      if (!state.links.ticketKey) return 'skipped';
      const transition = state.playbook.jira.transitionOnResolve!;
      const { moved } = await tickets.transitionTicket({ key, ticketKey: state.links.ticketKey, transition });
      if (!moved) throw new Error(`${state.links.ticketKey} has no transition "${transition}"`);
      return succeeded(`${state.links.ticketKey} moved to ${transition}`);
    }
    case 'closeAlert': {
      if (state.launch.alert.status !== 'done') return 'skipped';
      const { alreadyClosed } = await onCall.closeAlert({ key, alias: alertAlias(state), note: `Incident ${state.id} resolved.` });
      return succeeded(alreadyClosed ? 'The page was already closed' : 'The page was closed');
    }
    case 'broadcastStatusUpdate': {
      const update = state.statusUpdates.find((u) => u.number === followUp.update);
      if (!update || !followUp.target) return 'skipped';
      const where = state.links.channelUrl ? `[${state.name}](${state.links.channelUrl})` : state.name;
      await chat.broadcastToChannel({
        key,
        team: state.team,
        channelName: followUp.target,
        message: `#### :loudspeaker: Status update ${update.number} on incident ${where} (${state.severity}, ${state.status})\n${update.message}\n_Posted by @${update.author}; commander @${state.commander}._`,
      });
      return succeeded(`Status update ${update.number} copied to ~${followUp.target}`);
    }
    case 'deliverWebhook': {
      const webhook = state.playbook.statusUpdates?.webhooks.find((w) => w.url === followUp.target);
      if (!webhook || !followUp.event) return 'skipped';
      const update = followUp.update === undefined ? undefined : state.statusUpdates.find((u) => u.number === followUp.update);
      const { status } = await webhooks.deliverWebhook({
        key,
        url: webhook.url,
        ...(webhook.secretEnv ? { secretEnv: webhook.secretEnv } : {}),
        event: followUp.event,
        payload: webhookPayload(followUp.event, incidentView(state), update),
      });
      return succeeded(`Webhook ${hostOf(webhook.url)} told of ${followUp.event} (HTTP ${status})`, { event: followUp.event });
    }
    case 'publishRetrospective': {
      const retro = state.retrospective;
      if (!retro || !channelId) return 'skipped';
      await chat.postChannelNotice({ key, channelId, message: `### :memo: Retrospective, published by @${retro.publishedBy ?? state.commander}\n\n${retro.text}` });
      return 'done';
    }
    case 'exportPostmortem': {
      if (!channelId) return 'skipped';
      const result = await postmortem.exportPostmortem({
        key,
        // The activity reads the incident (and the stored timeline) itself rather than through the history.
        ...(run.budget ? { incidentId: state.id } : { incident: incidentView(state) }),
        formats: followUp.formats ?? ['markdown', 'json', 'csv'],
        requestedBy: followUp.requestedBy ?? 'system',
      });
      return succeeded(`Post-mortem export posted: ${result.posts} posts in ${result.files.map((f) => f.name).join(', ')}`, { postId: result.postId });
    }
    case 'leaveSidebars': {
      if (!channelId) return 'skipped';
      const { people } = await chat.leaveSidebars({ key, channelId });
      return people > 0 ? succeeded(`Channel taken out of ${people} ${people === 1 ? "person's" : "people's"} sidebar`) : 'skipped';
    }
    case 'archiveChannel': {
      if (!channelId) return 'skipped';
      await chat.archiveChannel({ key, channelId });
      return succeeded(`Channel ~${state.links.channelName ?? channelId} archived, as the playbook says`);
    }
    case 'welcomeMember': {
      const message = renderWelcomeMessage(state);
      if (!message || !followUp.target) return 'skipped';
      await chat.sendDirectMessage({ key, username: followUp.target, message });
      return 'done';
    }
    case 'placeInSidebar': {
      const category = state.playbook.channel.sidebarCategory;
      if (typeof category !== 'string' || !channelId || !followUp.target || state.launch.sidebar?.status !== 'done') return 'skipped';
      try {
        await chat.placeInSidebar({ key, team: state.team, channelId, usernames: [followUp.target], category });
      } catch (error) {
        if (!isForbidden(error)) throw error;
        skipSidebar(state, error);
        return 'skipped';
      }
      return 'done';
    }
    default: {
      // Every kind has its case: a new kind without one does not compile.
      const unknown: never = kind;
      throw new Error(`unknown follow-up kind ${String(unknown)}`);
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * What closing leaves besides the playbook's follow-ups: the channel out of the sidebar categories it was put in, unless
 * the channel is archived (archiving takes it out too). Only where the launch placed it.
 */
export function followUpsOfClose(run: IncidentRun): void {
  const { state } = run;
  if (!run.sidebarLeaves || state.status !== 'closed' || state.playbook.archiveChannelOnClose) return;
  if (state.launch.sidebar?.status !== 'done' || state.followUps.some((followUp) => followUp.kind === 'leaveSidebars')) return;
  state.followUps.push({ id: 'leaveSidebars-1', kind: 'leaveSidebars', status: 'pending' });
}
