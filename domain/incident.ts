/**
 * The incident's state as the workflow holds it, and the view that queries, updates and the API return. Pure data and
 * pure functions: the workflow sandbox runs this code, so no I/O, no clocks (callers pass `now`).
 */
import type { PlaybookSnapshot } from './playbook.js';

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
  /** Who last changed the state, and when (ISO 8601). */
  stateChangedBy?: string;
  stateChangedAt?: string;
}

export interface IncidentChecklist {
  id: string;
  title: string;
  tasks: IncidentTask[];
}

export type TimelineEventKind =
  | 'incident_reported'
  | 'status_changed'
  | 'commander_changed'
  | 'severity_changed'
  | 'task_state_changed'
  | 'task_assigned'
  | 'task_added'
  | 'note'
  | 'integration_succeeded'
  | 'integration_failed'
  | 'command_rejected';

export interface TimelineEvent {
  /** Position in the incident's timeline, 1-based; never reused, also across continue-as-new. */
  seq: number;
  at: string;
  kind: TimelineEventKind;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

export type LaunchStepName =
  | 'channel'
  | 'oncall'
  | 'invite'
  | 'ticket'
  | 'meeting'
  | 'checklistPost'
  | 'channelHeader';

export type LaunchStepStatus = 'pending' | 'done' | 'failed';

export interface IncidentLinks {
  channelId?: string;
  channelName?: string;
  ticketKey?: string;
  ticketUrl?: string;
  meetingUrl?: string;
  checklistPostId?: string;
  onCall?: string[];
}

export interface IncidentState {
  id: string;
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
  reportedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  /** Bumped by every accepted change: lets readers (and the store's projection) order versions of the view. */
  revision: number;
  /** Counter for IDs of tasks added during the incident. */
  nextTaskNumber: number;
  timeline: TimelineEvent[];
  /** Events dropped from the head of `timeline` to keep the workflow state small. */
  timelineDropped: number;
}

/** Oldest timeline events are dropped past this; the store keeps the full record. Keeps state far below 256 KB. */
export const MAX_TIMELINE_EVENTS_IN_STATE = 500;

export interface NewIncident {
  id: string;
  name: string;
  summary?: string;
  severity?: string;
  team: string;
  reporter: string;
  commander?: string;
  playbook: PlaybookSnapshot;
}

export function createIncidentState(input: NewIncident, now: string): IncidentState {
  const commander = input.commander ?? input.reporter;
  const state: IncidentState = {
    id: input.id,
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
      tasks: checklist.tasks.map((task) => ({ ...task, state: 'open' as const })),
    })),
    participants: [...new Set([input.reporter, commander])],
    links: {},
    launch: {
      channel: { status: 'pending' },
      oncall: { status: 'pending' },
      invite: { status: 'pending' },
      ticket: { status: 'pending' },
      meeting: { status: 'pending' },
      checklistPost: { status: 'pending' },
      channelHeader: { status: 'pending' },
    },
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
  return state;
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
  if (state.timeline.length > MAX_TIMELINE_EVENTS_IN_STATE) {
    const excess = state.timeline.length - MAX_TIMELINE_EVENTS_IN_STATE;
    state.timeline.splice(0, excess);
    state.timelineDropped += excess;
  }
  state.revision += 1;
  return event;
}

export interface IncidentView extends Omit<IncidentState, 'playbook'> {
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
  const { playbook, ...rest } = structuredCloneState(state);
  const { checklists: _snapshotChecklists, ...playbookSummary } = playbook;
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

/** A deep copy, so a view handed out never aliases the workflow's live state. */
function structuredCloneState(state: IncidentState): IncidentState {
  return JSON.parse(JSON.stringify(state)) as IncidentState;
}
