/**
 * Floors from what the sandboxes served: how fast a launch could be if our own work (Temporal, the worker, the
 * network between them) took no time at all and each call to Mattermost, Jira, Zoom and Opsgenie took exactly as long
 * as the sandbox took to answer it in this run.
 *
 * Two sources are joined. The call log: each call the sandboxes served, with when it arrived, how long its answer
 * took, and (a header the benchmark's worker adds, call-tags.ts) which activity made it. The incident's history: when
 * each activity was scheduled, and by the workflow task that saw which activities complete. An activity scheduled by
 * a workflow task depends on the activities whose completion that task saw; its own cost is the longest run of its
 * calls one after another (calls it makes in parallel count once). The floor of a milestone is the costliest chain of
 * dependent activities ending in it. Where the workflow waits for several activities before the next (Promise.all),
 * only the one that completed last is seen as what it waited for, so the floor can come out a little low; where one
 * workflow task saw several complete, what it scheduled is taken to wait for all of them, which can make it a little
 * high. Nothing here knows the launch's steps or their order.
 */
import type { temporal } from '@temporalio/proto';
import type { SandboxCall } from '../../test/helpers/sandboxes.js';
import { CALL_TAG_HEADER, parseCallTag } from './call-tags.js';
import type { LatencyProfile, System } from './stack.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface ActivityNode {
  scheduledEventId: number;
  activityId: string;
  type: string;
  scheduledAtMs: number;
  startedAtMs: number | undefined;
  completedAtMs: number | undefined;
  /** The activities whose completion the workflow task that scheduled this one saw (their scheduled event IDs). */
  after: number[];
}

export interface PathFloor {
  /** What the calls on the critical path took to be answered, added up. */
  servedMs: number;
  /** The same calls at the latency profile's nominal cost per call. */
  nominalMs: number;
  /** Calls on the critical path, per system. */
  calls: Partial<Record<System, number>>;
  /** Served milliseconds on the critical path, per system. */
  servedBySystem: Partial<Record<System, number>>;
  /** The activities on the path, in order, each with its calls on the path. */
  path: string[];
}

export interface LaunchFloors {
  channelReady: PathFloor | undefined;
  launched: PathFloor | undefined;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(String(value ?? Number.NaN)));
const timeMs = (event: HistoryEvent): number => num(event.eventTime?.seconds) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;

/** Activities of one run, each with what it waited for. */
export function activityGraph(events: HistoryEvent[]): ActivityNode[] {
  const nodes = new Map<number, ActivityNode>();
  const sawByTask = new Map<number, number[]>();
  let unseen: number[] = [];
  let seenByRunningTask: number[] = [];
  for (const event of events) {
    const id = num(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (scheduled) {
      nodes.set(id, {
        scheduledEventId: id,
        activityId: scheduled.activityId ?? '',
        type: scheduled.activityType?.name ?? '',
        scheduledAtMs: timeMs(event),
        startedAtMs: undefined,
        completedAtMs: undefined,
        after: sawByTask.get(num(scheduled.workflowTaskCompletedEventId)) ?? [],
      });
    } else if (event.activityTaskStartedEventAttributes) {
      const node = nodes.get(num(event.activityTaskStartedEventAttributes.scheduledEventId));
      if (node) node.startedAtMs = timeMs(event);
    } else if (closed) {
      const scheduledId = num(closed.scheduledEventId);
      const node = nodes.get(scheduledId);
      if (node) node.completedAtMs = timeMs(event);
      unseen.push(scheduledId);
    } else if (event.workflowTaskStartedEventAttributes) {
      seenByRunningTask = unseen;
      unseen = [];
    } else if (event.workflowTaskCompletedEventAttributes) {
      sawByTask.set(id, seenByRunningTask);
      seenByRunningTask = [];
    } else if (event.workflowTaskFailedEventAttributes || event.workflowTaskTimedOutEventAttributes) {
      // The next task sees again what the failed one saw.
      unseen = [...seenByRunningTask, ...unseen];
      seenByRunningTask = [];
    }
  }
  return [...nodes.values()];
}

interface Chain {
  servedMs: number;
  calls: SandboxCall[];
}

/** The costliest sequence of calls each of which arrived after the previous one was answered. */
function longestChain(calls: SandboxCall[]): Chain {
  const timed = calls
    .filter((call) => call.receivedAtMs !== undefined && call.durationMs !== undefined)
    .sort((a, b) => a.receivedAtMs! - b.receivedAtMs!);
  const best: Chain[] = [];
  let top: Chain = { servedMs: 0, calls: [] };
  timed.forEach((call, i) => {
    let before: Chain = { servedMs: 0, calls: [] };
    for (let j = 0; j < i; j++) {
      const previous = timed[j]!;
      if (previous.receivedAtMs! + previous.durationMs! <= call.receivedAtMs! && best[j]!.servedMs > before.servedMs) before = best[j]!;
    }
    best[i] = { servedMs: before.servedMs + call.durationMs!, calls: [...before.calls, call] };
    if (best[i]!.servedMs > top.servedMs) top = best[i]!;
  });
  return top;
}

/** Calls per activity of one workflow, by the tag the benchmark's worker put on them. */
export function callsByActivity(calls: SandboxCall[]): Map<string, Map<string, SandboxCall[]>> {
  const byWorkflow = new Map<string, Map<string, SandboxCall[]>>();
  for (const call of calls) {
    const tag = parseCallTag(call.headers[CALL_TAG_HEADER]);
    if (!tag) continue;
    const byActivity = byWorkflow.get(tag.workflowId) ?? new Map<string, SandboxCall[]>();
    byWorkflow.set(tag.workflowId, byActivity);
    byActivity.set(tag.activityId, [...(byActivity.get(tag.activityId) ?? []), call]);
  }
  return byWorkflow;
}

/**
 * The activity that posted the checklist: `postChecklist`, or from incident-v15 the channel's own when the checklist
 * went up with the channel (no postChecklist then).
 */
function checklistActivity(nodes: ActivityNode[]): ActivityNode | undefined {
  return nodes.find((node) => node.type === 'postChecklist') ?? nodes.find((node) => node.type === 'openIncidentChannel');
}

/**
 * The floors of one launch: channel ready (the checklist posted and pinned, by checklistActivity) and fully
 * launched (the costliest chain among the activities completed by `launchedAtMs`, when the last step was recorded).
 */
export function launchFloors(events: HistoryEvent[], calls: Map<string, SandboxCall[]> | undefined, profile: LatencyProfile, launchedAtMs: number): LaunchFloors {
  const { nodes, byId, chains, pathTo } = criticalPaths(events, calls);
  const summarize = (path: number[]): PathFloor => {
    const floor: PathFloor = { servedMs: 0, nominalMs: 0, calls: {}, servedBySystem: {}, path: [] };
    for (const id of path) {
      const chain = chains.get(id)!;
      floor.path.push(`${byId.get(id)!.type} (${chain.calls.length})`);
      for (const call of chain.calls) {
        const system = call.system as System;
        floor.servedMs += call.durationMs!;
        floor.nominalMs += profile[system] ?? 0;
        floor.calls[system] = (floor.calls[system] ?? 0) + 1;
        floor.servedBySystem[system] = (floor.servedBySystem[system] ?? 0) + call.durationMs!;
      }
    }
    return floor;
  };

  const checklist = checklistActivity(nodes);
  const channelReady = checklist ? summarize(pathTo(checklist.scheduledEventId)) : undefined;

  let launched: PathFloor | undefined;
  for (const node of nodes) {
    if (node.completedAtMs === undefined || node.completedAtMs > launchedAtMs) continue;
    const floor = summarize(pathTo(node.scheduledEventId));
    if (!launched || floor.servedMs > launched.servedMs) launched = floor;
  }
  return { channelReady, launched };
}

/**
 * Where the time to the channel ready went in one launch, along the path its floor is made of: the first workflow
 * task (from when it started, which is when the incident counts as reported), then for each activity on the path the
 * wait for the workflow task that scheduled it (the previous one's completion seen, or a task already running
 * finished first), its dispatch to the worker, the sandbox's answers on the path and the rest of the activity (the
 * worker's own work: HTTP, the checklistPost query, heartbeats), and last the wait for the workflow task that
 * recorded the checklist (the milestone's time). Milliseconds; the parts add up to the milestone's time.
 */
export interface ReadyBreakdown {
  firstTask: number;
  awaitingTasks: number;
  dispatch: number;
  calls: number;
  inActivity: number;
  recorded: number;
  /** Workflow tasks and activity tasks on the path (the first task included). */
  workflowTasks: number;
  activities: number;
}

export function channelReadyBreakdown(events: HistoryEvent[], calls: Map<string, SandboxCall[]> | undefined, readyAtMs: number): ReadyBreakdown | undefined {
  const { nodes, byId, chains, pathTo } = criticalPaths(events, calls);
  const checklist = checklistActivity(nodes);
  const firstStarted = events.find((event) => event.workflowTaskStartedEventAttributes);
  const firstCompleted = events.find((event) => event.workflowTaskCompletedEventAttributes);
  if (!checklist || !firstStarted || !firstCompleted) return undefined;
  const path = pathTo(checklist.scheduledEventId).map((id) => byId.get(id)!);
  if (path.some((node) => node.startedAtMs === undefined || node.completedAtMs === undefined)) return undefined;
  const breakdown: ReadyBreakdown = { firstTask: timeMs(firstCompleted) - timeMs(firstStarted), awaitingTasks: 0, dispatch: 0, calls: 0, inActivity: 0, recorded: 0, workflowTasks: 1 + path.length, activities: path.length };
  let previousDone = timeMs(firstCompleted);
  for (const node of path) {
    const served = chains.get(node.scheduledEventId)!.servedMs;
    breakdown.awaitingTasks += Math.max(0, node.scheduledAtMs - previousDone);
    breakdown.dispatch += node.startedAtMs! - node.scheduledAtMs;
    breakdown.calls += served;
    breakdown.inActivity += node.completedAtMs! - node.startedAtMs! - served;
    previousDone = node.completedAtMs!;
  }
  breakdown.recorded = readyAtMs - previousDone;
  return breakdown;
}

/** The activities of one run, their own costliest chains of calls, and the costliest path of dependencies to each. */
function criticalPaths(events: HistoryEvent[], calls: Map<string, SandboxCall[]> | undefined) {
  const nodes = activityGraph(events);
  const byId = new Map(nodes.map((node) => [node.scheduledEventId, node]));
  const chains = new Map(nodes.map((node) => [node.scheduledEventId, longestChain(calls?.get(node.activityId) ?? [])]));
  const finish = new Map<number, { ms: number; previous: number | undefined }>();
  const earliestFinish = (id: number): number => {
    const known = finish.get(id);
    if (known) return known.ms;
    const node = byId.get(id)!;
    let previous: number | undefined;
    let start = 0;
    for (const dependency of node.after) {
      if (!byId.has(dependency)) continue;
      const ms = earliestFinish(dependency);
      if (ms > start || previous === undefined) [start, previous] = [ms, dependency];
    }
    const ms = start + chains.get(id)!.servedMs;
    finish.set(id, { ms, previous });
    return ms;
  };
  const pathTo = (id: number | undefined): number[] => {
    const path: number[] = [];
    for (let at = id; at !== undefined; at = finish.get(at)?.previous) {
      earliestFinish(at);
      path.unshift(at);
    }
    return path;
  };
  return { nodes, byId, chains, pathTo };
}
