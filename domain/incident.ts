/**
 * The incident's state as the workflow holds it, and the view that queries, updates and the API return. Pure data and
 * pure functions: the workflow sandbox runs this code, so no I/O, no clocks (callers pass `now`).
 */
import type { PlaybookSnapshot } from './playbook/snapshot.js';
import type { TaskActionType } from './playbook/vocabulary.js';

export const INCIDENT_STATUSES = ['reported', 'active', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const TASK_STATES = ['open', 'in_progress', 'done', 'skipped'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface IncidentTask {
  id: string;
  title: string;
  description?: string;
  command?: string;
  state: TaskState;
  assignee?: string;
  /** Filled in from the role when the role's holder is known (on-call: after the lookup). */
  assigneeRole?: 'commander' | 'reporter' | 'oncall';
  /** A built-in action the task's Run entry performs instead of a slash command (page, ticket, meeting, update). */
  action?: { type: TaskActionType };
  /** When the task is due (ISO 8601), from the playbook's due duration. */
  dueAt?: string;
  /** Who last changed the state, and when (ISO 8601). */
  stateChangedBy?: string;
  stateChangedAt?: string;
  /** Which due reminders were sent: 'soon' before the due time, 'due' at it (which also marks the task overdue). */
  reminded?: 'soon' | 'due';
}

export interface IncidentChecklist {
  id: string;
  title: string;
  tasks: IncidentTask[];
}

/** Every kind of timeline event; `/incident timeline <kind>` and `?kind=` filter by these. */
export const TIMELINE_EVENT_KINDS = [
  'incident_reported',
  'status_changed',
  'commander_changed',
  'severity_changed',
  'task_state_changed',
  'task_assigned',
  'task_added',
  'note',
  'integration_succeeded',
  'integration_failed',
  'integration_retried',
  'status_update_posted',
  'command_run',
  'command_rejected',
  'member_joined',
  'member_left',
  'reminder_sent',
  'reminder_snoozed',
  'retrospective_drafted',
  'retrospective_published',
  'retrospective_declined',
  'alert_received',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export interface TimelineEvent {
  /** Position in the incident's timeline, 1-based; never reused, also across continue-as-new. */
  seq: number;
  at: string;
  kind: TimelineEventKind;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

/** The launch, step by step, in the order the checklist of a new incident shows them. */
export const LAUNCH_STEPS = ['channel', 'oncall', 'invite', 'sidebar', 'ticket', 'meeting', 'alert', 'checklistPost', 'channelHeader'] as const;
export type LaunchStepName = (typeof LAUNCH_STEPS)[number];

/** `skipped`: the playbook does not want this step (no Zoom, no paging). */
export type LaunchStepStatus = 'pending' | 'done' | 'failed' | 'skipped';

/** Steps whose failure makes these others fail too; retrying the first retries them. */
export const LAUNCH_STEP_DEPENDENTS: Partial<Record<LaunchStepName, LaunchStepName[]>> = {
  channel: ['invite', 'sidebar', 'checklistPost', 'channelHeader'],
  oncall: ['invite', 'sidebar'],
  invite: ['sidebar'],
};

/** Steps to run again after these succeed on a retry: the header shows the ticket and bridge links. */
export const LAUNCH_STEP_REFRESHES: Partial<Record<LaunchStepName, LaunchStepName[]>> = {
  ticket: ['channelHeader'],
  meeting: ['channelHeader'],
};

/**
 * Work a command leaves for the workflow to do outside, once each: tell the ticket and close the page on resolve, post a
 * status update (and copy it to broadcast channels and webhooks), publish the retrospective, export the post-mortem,
 * archive the channel on close.
 */
export const FOLLOW_UP_KINDS = [
  'commentTicket',
  'transitionTicket',
  'closeAlert',
  'postStatusUpdate',
  'broadcastStatusUpdate',
  'deliverWebhook',
  'publishRetrospective',
  'exportPostmortem',
  'archiveChannel',
  'welcomeMember',
  'placeInSidebar',
  'leaveSidebars',
] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

export interface StatusUpdate {
  /** 1-based, never reused: also the key of posting it to the channel. */
  number: number;
  at: string;
  author: string;
  message: string;
}

export interface FollowUp {
  /** `<kind>-<number>[-<target>]`, unique within the incident and the base of its idempotency key. */
  id: string;
  kind: FollowUpKind;
  status: 'pending' | 'done' | 'failed' | 'skipped';
  error?: string;
  /** The status update it concerns (postStatusUpdate, broadcastStatusUpdate, deliverWebhook). */
  update?: number;
  /** Where it goes: the broadcast channel's name, the webhook's URL, or the member's username. */
  target?: string;
  /** deliverWebhook: which event the webhook is told about. */
  event?: 'incident-started' | 'status-update' | 'incident-resolved';
  /** exportPostmortem: who asked, and in which formats. */
  requestedBy?: string;
  formats?: Array<'markdown' | 'json' | 'csv'>;
}

/** The incident's retrospective: drafted on resolve from the playbook's template, then published or declined. */
export interface Retrospective {
  status: 'draft' | 'published' | 'declined';
  text: string;
  draftedAt: string;
  editedBy?: string;
  publishedAt?: string;
  publishedBy?: string;
  declinedReason?: string;
  /** Reminders sent to publish it, and when the last one went out. */
  reminders: number;
  lastReminderAt?: string;
}

/** One alert of the monitoring group that started (or joined) the incident, as the workflow keeps it. */
export interface IncidentAlert {
  /** Alertmanager's fingerprint (or the generic endpoint's dedup key): one alert, across repeats. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  name: string;
  summary?: string;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** The alert group behind an incident started from monitoring. */
export interface AlertGroup {
  source: 'alertmanager' | 'generic';
  groupKey: string;
  status: 'firing' | 'resolved';
  /** Deliveries received, repeats included. */
  deliveries: number;
  firstReceivedAt: string;
  lastReceivedAt: string;
  /** The newest alerts by fingerprint (at most 50; the timeline has every change). */
  alerts: IncidentAlert[];
  /** What was last heard of each alert ("<status>@<startsAt>" by fingerprint, oldest first): tells repeats from news. */
  seen?: Record<string, string>;
}

/** The status-update reminder's clock: reset by each update, moved by a snooze. */
export interface StatusReminder {
  /** How many reminders went out since the last update. */
  sent: number;
  lastSentAt?: string;
  snoozedUntil?: string;
}

export interface IncidentLinks {
  channelId?: string;
  channelName?: string;
  channelUrl?: string;
  ticketKey?: string;
  ticketUrl?: string;
  meetingUrl?: string;
  alertId?: string;
  checklistPostId?: string;
  onCall?: string[];
}

export interface IncidentState {
  id: string;
  /** The team's incident number, when the store gave one. */
  number?: number;
  name: string;
  summary: string;
  severity: string;
  status: IncidentStatus;
  team: string;
  reporter: string;
  commander: string;
  playbook: PlaybookSnapshot;
  checklists: IncidentChecklist[];
  participants: string[];
  links: IncidentLinks;
  launch: Record<LaunchStepName, { status: LaunchStepStatus; error?: string }>;
  /** Work that resolving started (comment on the ticket, close the alert), oldest first. */
  followUps: FollowUp[];
  /** How many times the incident was resolved (reopen and resolve again makes 2). */
  resolutions: number;
  /** Status updates, oldest first (the newest 50 are kept here; the timeline records each). */
  statusUpdates: StatusUpdate[];
  /** Newer: absent in states carried from before reminders. */
  statusReminder?: StatusReminder;
  /** Drafted when the incident is resolved, if the playbook asks for a retrospective. */
  retrospective?: Retrospective;
  /** Set when monitoring started or joined the incident. */
  alertGroup?: AlertGroup;
  /** The revision last written to the store's incident records. */
  projectedRevision?: number;
  /**
   * The timeline position up to which the store holds every event; set once a store took the timeline. From then on
   * only events the store has are dropped from the state (see recordEvent).
   */
  projectedTimelineSeq?: number;
  /**
   * Digests of the IDs of the newest Updates applied (at most MAX_RECENT_UPDATE_IDS, oldest first; see updateIdSeen).
   * Temporal drops an Update whose ID it saw within one run; this carries that memory across continue-as-new, so a
   * retried Update is applied once.
   */
  recentUpdateIds?: string[];
  /** Usernames in the channel as last seen; undefined until the first look (joins and leaves are diffs against it). */
  members?: string[];
  reportedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  /** The checklist revision the pinned post shows; when the state's differs, the post is refreshed. */
  checklistRevisionShown?: string;
  /** The channel header as last set; when the state renders another (status, commander, severity...), it is set again. */
  channelHeaderShown?: string;
  /**
   * Failures the channel was told about (`kind:target:message`, newest last, at most 20): the same failure again (a
   * broadcast channel that does not exist, at every update) goes to the timeline only, until that target works again.
   */
  failuresTold?: string[];
  /** Bumped by every accepted change: lets readers (and the store's projection) order versions of the view. */
  revision: number;
  /** Counter for IDs of tasks added during the incident. */
  nextTaskNumber: number;
  timeline: TimelineEvent[];
  /** Events dropped from the head of `timeline` to keep the workflow state small. */
  timelineDropped: number;
}

/** Oldest timeline events are dropped past this count, or past this much text, so the state stays far below
 * Temporal's payload limit (2 MB) however long the notes are. */
export const MAX_TIMELINE_EVENTS_IN_STATE = 500;
export const MAX_TIMELINE_TEXT_IN_STATE = 300_000;
/**
 * With a store, events it does not have yet are kept past the event limit above, up to this many (a store that is away
 * for a long while under a flood of short notes). Text is never kept past its budget: the state must still fit in a
 * continue-as-new payload (2 MB) beside its status updates, and a character of text can take three bytes.
 */
export const MAX_UNSTORED_TIMELINE_EVENTS = 3_000;
/** Update IDs remembered across continue-as-new (see IncidentState.recentUpdateIds). */
/**
 * Enough to cover a client that retries after the API's 10 s deadline even at a few hundred commands a second; kept as
 * digests of about 14 characters (some 30 KB in the state).
 */
export const MAX_RECENT_UPDATE_IDS = 2_000;

export interface NewIncident {
  id: string;
  name: string;
  summary?: string;
  severity?: string;
  team: string;
  reporter: string;
  commander?: string;
  number?: number;
  playbook: PlaybookSnapshot;
}

/** Who commands a new incident: whoever the start request names, else the playbook's default (on-call comes later). */
function initialCommander(input: NewIncident): string {
  if (input.commander) return input.commander;
  const preferred = input.playbook.defaultCommander;
  return preferred?.type === 'user' ? preferred.username : input.reporter;
}

export function createIncidentState(input: NewIncident, now: string): IncidentState {
  const commander = initialCommander(input);
  const holder = (role: string | undefined): string | undefined => (role === 'commander' ? commander : role === 'reporter' ? input.reporter : undefined);
  const state: IncidentState = {
    id: input.id,
    ...(input.number ? { number: input.number } : {}),
    name: input.name,
    summary: input.summary ?? '',
    severity: input.severity ?? input.playbook.defaultSeverity,
    status: 'reported',
    team: input.team,
    reporter: input.reporter,
    commander,
    playbook: input.playbook,
    checklists: input.playbook.checklists.map((checklist) => ({
      id: checklist.id,
      title: checklist.title,
      tasks: checklist.tasks.map(({ dueAfterMs, ...task }) => {
        const assignee = task.assignee ?? holder(task.assigneeRole);
        return {
          ...task,
          state: 'open' as const,
          ...(assignee ? { assignee } : {}),
          ...(dueAfterMs ? { dueAt: new Date(Date.parse(now) + dueAfterMs).toISOString() } : {}),
        };
      }),
    })),
    // Everyone the incident names from the start: reporter, commander, the playbook's invitees, pre-assigned people.
    participants: [
      ...new Set([
        input.reporter,
        commander,
        ...(input.playbook.invitees?.users ?? []),
        ...input.playbook.checklists.flatMap((c) => c.tasks.flatMap((t) => (t.assignee ? [t.assignee] : []))),
      ]),
    ],
    links: {},
    launch: initialLaunch(input.playbook),
    followUps: [],
    resolutions: 0,
    statusUpdates: [],
    statusReminder: { sent: 0 },
    reportedAt: now,
    revision: 0,
    nextTaskNumber: 1,
    timeline: [],
    timelineDropped: 0,
  };
  recordEvent(state, now, 'incident_reported', input.reporter, `Incident reported by @${input.reporter}: ${input.name}`, {
    severity: state.severity,
    commander,
    playbook: input.playbook.id,
  });
  enqueueWebhooks(state, 'incident-started');
  return state;
}

/** One delivery per webhook of the playbook that asked for this event; the workflow sends them after the launch. */
export function enqueueWebhooks(state: IncidentState, event: NonNullable<FollowUp['event']>, update?: number): void {
  const webhooks = state.playbook.statusUpdates?.webhooks ?? [];
  webhooks.forEach((webhook, index) => {
    if (!webhook.events.includes(event)) return;
    // The event and its occasion (update number, resolution number) make the ID, and so the delivery ID, unique.
    const occasion = event === 'status-update' ? update : event === 'incident-resolved' ? state.resolutions : 0;
    state.followUps.push({
      id: `deliverWebhook-${event}-${occasion}-${index + 1}`,
      kind: 'deliverWebhook',
      status: 'pending',
      target: webhook.url,
      event,
      ...(update !== undefined ? { update } : {}),
    });
  });
}

/** Launch steps a task's built-in action runs instead, when someone runs the task (not at start). */
export const ACTION_LAUNCH_STEPS = { 'page-oncall': 'alert', 'open-ticket': 'ticket', 'start-meeting': 'meeting' } as const satisfies Record<
  Exclude<TaskActionType, 'post-status-update'>,
  LaunchStepName
>;

function initialLaunch(playbook: PlaybookSnapshot): IncidentState['launch'] {
  // A playbook with a "Start the Zoom meeting" task means: start it when that task is run, not at once.
  const deferred = new Set<string>(
    playbook.checklists.flatMap((c) => c.tasks.flatMap((t) => (t.action && t.action.type in ACTION_LAUNCH_STEPS ? [ACTION_LAUNCH_STEPS[t.action.type as keyof typeof ACTION_LAUNCH_STEPS]] : []))),
  );
  const wanted = (on: boolean, step?: string) => ({ status: on && !(step && deferred.has(step)) ? ('pending' as const) : ('skipped' as const) });
  return {
    channel: wanted(true),
    oncall: wanted(playbook.opsgenie.inviteOnCall),
    invite: wanted(true),
    // Snapshots from before sidebar categories carry no category: nothing to do for them.
    sidebar: wanted(typeof playbook.channel.sidebarCategory === 'string'),
    ticket: wanted(playbook.jira.enabled, 'ticket'),
    meeting: wanted(playbook.zoom.enabled, 'meeting'),
    alert: wanted(playbook.opsgenie.page, 'alert'),
    checklistPost: wanted(true),
    channelHeader: wanted(true),
  };
}

export function recordEvent(
  state: IncidentState,
  at: string,
  kind: TimelineEventKind,
  actor: string,
  text: string,
  data?: Record<string, unknown>,
): TimelineEvent {
  const event: TimelineEvent = {
    seq: state.timelineDropped + state.timeline.length + 1,
    at,
    kind,
    actor,
    text,
    ...(data ? { data } : {}),
  };
  state.timeline.push(event);
  pruneTimeline(state);
  bumpRevision(state);
  return event;
}

/**
 * Marks the state changed: the one place the revision moves (readers, the store's versioned record and the checklist
 * post all compare revisions). Every timeline event bumps it; so does outside work that changes links or launch steps.
 */
export function bumpRevision(state: IncidentState): void {
  state.revision += 1;
}

/**
 * Drops the oldest events past the state's limits. Without a store (projectedTimelineSeq unset) they are gone from
 * the state, counted in timelineDropped. With one, only events the store already holds are dropped, unless the events
 * it does not hold pass the hard limits too (the store has been away for long): then the oldest go regardless.
 */
function pruneTimeline(state: IncidentState): void {
  const timeline = state.timeline;
  let excess = Math.max(0, timeline.length - MAX_TIMELINE_EVENTS_IN_STATE);
  let kept = timeline.reduce((sum, e) => sum + e.text.length, 0);
  for (let i = 0; i < excess; i++) kept -= timeline[i]!.text.length;
  while (kept > MAX_TIMELINE_TEXT_IN_STATE && excess < timeline.length - 1) kept -= timeline[excess++]!.text.length;
  const stored = state.projectedTimelineSeq;
  if (stored !== undefined && excess > 0) {
    // Keep what the store lacks, within the hard limits.
    let storedCount = 0;
    while (storedCount < excess && timeline[storedCount]!.seq <= stored) storedCount++;
    let unstoredText = 0;
    for (let i = storedCount; i < timeline.length; i++) unstoredText += timeline[i]!.text.length;
    let cut = storedCount;
    while (cut < timeline.length - 1 && (timeline.length - cut > MAX_UNSTORED_TIMELINE_EVENTS || unstoredText > MAX_TIMELINE_TEXT_IN_STATE)) {
      unstoredText -= timeline[cut++]!.text.length;
    }
    excess = cut;
  }
  if (excess > 0) {
    timeline.splice(0, excess);
    state.timelineDropped += excess;
  }
}

/**
 * What an Update answers: small, whatever the incident's size (Temporal writes every answer into the history). The
 * view is a query away. `changed` is what this command wrote to the timeline, for the reply to whoever sent it.
 */
export interface CommandResult {
  incidentId: string;
  revision: number;
  status: IncidentStatus;
  changed: Array<{ seq: number; kind: TimelineEventKind; text: string }>;
  /** True when this Update's ID had been applied already (a retry): nothing was changed again. */
  duplicate?: boolean;
  /**
   * True when this was the first command the incident handled, in the run that started it: an Update sent with the
   * start (update-with-start) that found no incident running under its ID, so it is the one that started it.
   */
  firstCommand?: boolean;
}

/** Texts in a CommandResult are cut to this length (a note's full text is in the timeline). */
const CHANGED_TEXT_MAX = 300;
const CHANGED_EVENTS_MAX = 5;

/** The result of a command that added the timeline events after position `beforeSeq`. */
export function commandResult(state: IncidentState, beforeSeq: number, duplicate = false, firstCommand = false): CommandResult {
  const changed = state.timeline
    .filter((event) => event.seq > beforeSeq)
    .slice(-CHANGED_EVENTS_MAX)
    .map((event) => ({ seq: event.seq, kind: event.kind, text: event.text.length > CHANGED_TEXT_MAX ? `${event.text.slice(0, CHANGED_TEXT_MAX - 1)}…` : event.text }));
  return {
    incidentId: state.id,
    revision: state.revision,
    status: state.status,
    changed,
    ...(duplicate ? { duplicate: true } : {}),
    ...(firstCommand ? { firstCommand: true } : {}),
  };
}

/** The position of the newest timeline event (0 before any). */
export function lastTimelineSeq(state: IncidentState): number {
  return state.timelineDropped + state.timeline.length;
}

/** Remembers an applied Update's ID (as a short digest), keeping the newest MAX_RECENT_UPDATE_IDS. */
export function rememberUpdateId(state: IncidentState, id: string): void {
  const ids = (state.recentUpdateIds ??= []);
  ids.push(updateIdDigest(id));
  if (ids.length > MAX_RECENT_UPDATE_IDS) ids.splice(0, ids.length - MAX_RECENT_UPDATE_IDS);
}

/** Whether an Update with this ID was applied recently (in this run or one before it). */
export function updateIdSeen(state: IncidentState, id: string | undefined): boolean {
  return id !== undefined && (state.recentUpdateIds?.includes(updateIdDigest(id)) ?? false);
}

/**
 * A 64-bit digest of an Update ID, about 13 characters whatever the ID's length (Idempotency-Keys may have 128), so
 * that thousands of them fit in the state. Two FNV-style 32-bit hashes with different primes; deterministic, as
 * workflow code must be.
 */
function updateIdDigest(id: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

export interface IncidentView extends Omit<IncidentState, 'playbook' | 'recentUpdateIds'> {
  /** Which playbook (and version) the incident runs; its checklists are in `checklists`. */
  playbook: Omit<PlaybookSnapshot, 'checklists'>;
  progress: { done: number; skipped: number; total: number };
  /** Milliseconds from reported to acknowledged / resolved, once known. */
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
}

function millisBetween(from: string, to: string | undefined): number | undefined {
  return to === undefined ? undefined : Date.parse(to) - Date.parse(from);
}

export function incidentView(state: IncidentState): IncidentView {
  const tasks = state.checklists.flatMap((checklist) => checklist.tasks);
  const { playbook, recentUpdateIds: _ids, ...rest } = structuredCloneState(state);
  const { checklists: _snapshotChecklists, ...playbookSummary } = playbook;
  // Webhook URLs often carry their own secret in the path (Slack, Mattermost): readers of the view see the host only.
  for (const webhook of playbookSummary.statusUpdates?.webhooks ?? []) webhook.url = maskUrl(webhook.url);
  for (const followUp of rest.followUps) if (followUp.kind === 'deliverWebhook' && followUp.target) followUp.target = maskUrl(followUp.target);
  const view: IncidentView = {
    ...rest,
    playbook: playbookSummary,
    progress: {
      done: tasks.filter((task) => task.state === 'done').length,
      skipped: tasks.filter((task) => task.state === 'skipped').length,
      total: tasks.length,
    },
  };
  const tta = millisBetween(state.reportedAt, state.acknowledgedAt);
  const ttr = millisBetween(state.reportedAt, state.resolvedAt);
  if (tta !== undefined) view.timeToAcknowledgeMs = tta;
  if (ttr !== undefined) view.timeToResolveMs = ttr;
  return view;
}

function maskUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i.exec(url);
  return match ? `${match[1]}/…` : '…';
}

/** A deep copy, so a view handed out never aliases the workflow's live state. */
function structuredCloneState(state: IncidentState): IncidentState {
  return JSON.parse(JSON.stringify(state)) as IncidentState;
}

/**
 * What the store's projection writes (read through a query, so none of it enters the workflow's history): the view
 * without its timeline, and the timeline events after a position, at most `limit` of them (the rest come next time).
 */
export interface IncidentProjection {
  view: IncidentView;
  events: TimelineEvent[];
}

export function incidentProjection(state: IncidentState, afterSeq: number, limit: number): IncidentProjection {
  const events = state.timeline.filter((event) => event.seq > afterSeq).slice(0, limit);
  const view = incidentView({ ...state, timeline: [] });
  return { view, events: JSON.parse(JSON.stringify(events)) as TimelineEvent[] };
}

/** A CommandResult from either answer an Update may give (the whole view came from runs before the history budget). */
export function toCommandResult(answer: CommandResult | IncidentView): CommandResult {
  if (!('timeline' in answer)) return answer;
  const at = answer.timeline.at(-1)?.at;
  const changed = answer.timeline
    .filter((event) => event.at === at)
    .map((event) => ({ seq: event.seq, kind: event.kind, text: event.text }));
  return { incidentId: answer.id, revision: answer.revision, status: answer.status, changed };
}
