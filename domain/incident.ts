/**
 * The incident's state as the workflow holds it, the shape of the view that queries, updates and the API return, and
 * how a new incident's state is made. Pure data and pure functions: the workflow sandbox runs this code, so no I/O, no
 * clocks (callers pass `now`). The timeline, launch steps, follow-ups, the view itself and Update results have modules
 * of their own.
 */
import { enqueueWebhooks, type FollowUp } from './follow-ups.js';
import { initialLaunch, type LaunchStepName, type LaunchStepStatus } from './launch-steps.js';
import { recordEvent, type TimelineEvent } from './timeline.js';
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

export interface StatusUpdate {
  /** 1-based, never reused: also the key of posting it to the channel. */
  number: number;
  at: string;
  author: string;
  message: string;
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

/** The view's shape, beside the state it is derived from (incident-view.ts builds it): nearly every layer reads it. */
export interface IncidentView extends Omit<IncidentState, 'playbook' | 'recentUpdateIds'> {
  /** Which playbook (and version) the incident runs; its checklists are in `checklists`. */
  playbook: Omit<PlaybookSnapshot, 'checklists'>;
  progress: { done: number; skipped: number; total: number };
  /** Milliseconds from reported to acknowledged / resolved, once known. */
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
}
