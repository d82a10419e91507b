/**
 * Alerts from monitoring become incidents: one incident per alert group while it is open. The incident's ID is derived
 * from the group key (`al-<hash>-<n>`, n counting the group's incidents). A delivery goes to the group's open incident
 * as an Update when the store's records (or this process's memory of the group) know it; otherwise it is an
 * update-with-start under the next ID, which starts the incident with the delivery or, when another delivery started it
 * a moment ago, joins it: one call, a typed answer, and the validator's refusals on the first delivery too. Across
 * several API processes a race can at worst skip an incident number, never make a second incident.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertIntakeRequest } from '../domain/alertmanager.js';
import { routeAlert, type AlertRules } from '../domain/alert-routing.js';
import { USERNAME_PATTERN } from '../domain/people.js';
import type { PlaybookLookup } from '../store/playbook-lookup.js';
import type { IncidentRecordRepository } from '../store/incident-records.js';
import { HttpError } from './http-error.js';
import type { IncidentService } from './incident-service.js';

export interface AlertIntakeOptions {
  incidents: IncidentService;
  playbooks: PlaybookLookup;
  rules: AlertRules;
  /** The team of incidents whose rule names none (MATTERMOST_DEFAULT_TEAM, or the bot's only team). */
  defaultTeam?: string;
  /** The store's records find an alert group's open incident without asking Temporal; optional. */
  records?: IncidentRecordRepository;
  logger: Logger;
  /** Told of every delivery's outcome and how many alerts it carried (the API's metrics). */
  onDelivery?: (outcome: AlertOutcome['outcome'] | 'failed', alerts: number) => void;
}

export interface AlertOutcome {
  incidentId: string;
  /** started: a new incident; joined: an open incident took the delivery; ignored: nothing to do (see reason). */
  outcome: 'started' | 'joined' | 'ignored';
  reason?: string;
  playbook?: string;
  rule?: string;
}

/** Incidents of one group an intake will look through before giving up (a group re-fires after each close). */
const MAX_GENERATIONS = 1_000;
/** Groups whose incident this process remembers. */
const MAX_REMEMBERED_GROUPS = 10_000;

/** The incident under this ID has ended, or is closed and finishing: the group's next incident is the one. */
function isClosedOrUsed(error: unknown): boolean {
  return error instanceof HttpError && error.status === 409 && /is closed|already exists/.test(error.message);
}

export class AlertIntake {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** The incident each recent group went to (its record may not be written yet), oldest first. */
  private readonly recent = new Map<string, string>();

  constructor(private readonly options: AlertIntakeOptions) {}

  /** Handles one delivery; deliveries of the same group wait for each other. */
  receive(request: AlertIntakeRequest, caller: string): Promise<AlertOutcome> {
    const key = request.delivery.groupKey;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.handle(request, caller));
    const alerts = request.delivery.alerts.length;
    run.then(
      (outcome) => this.options.onDelivery?.(outcome.outcome, alerts),
      () => this.options.onDelivery?.('failed', alerts),
    );
    this.queues.set(key, run);
    // Forget the queue once it drains, so the map holds only groups with deliveries in flight.
    void run.finally(() => {
      if (this.queues.get(key) === run) this.queues.delete(key);
    }).catch(() => undefined);
    return run;
  }

  private async handle(request: AlertIntakeRequest, caller: string): Promise<AlertOutcome> {
    const { incidents, logger, records } = this.options;
    const groupKey = request.delivery.groupKey;
    const actor = USERNAME_PATTERN.test(caller) ? caller : 'alertmanager';
    const payload = { ...request.delivery, actor };
    const base = `al-${createHash('sha256').update(groupKey).digest('hex').slice(0, 16)}`;

    // The open incident of this group, if known: this process's memory (the record is written a moment after a start),
    // else the store's records. Only this group's own IDs count (an incident started by hand may follow the group too).
    const own = new RegExp(`^${base}-(\\d+)$`);
    const known = this.recent.get(groupKey) ?? (await records?.openForAlertGroup(groupKey))?.id;
    const knownGeneration = known ? own.exec(known)?.[1] : undefined;
    let generation = knownGeneration ? Number(knownGeneration) : ((await records?.countForAlertGroup(groupKey)) ?? 0) + 1;
    for (let tries = 0; tries < MAX_GENERATIONS; tries++, generation++) {
      const id = `${base}-${generation}`;
      if (id === known || request.delivery.status === 'resolved') {
        // Join the running incident; a resolved notification never starts one.
        const joined = await this.join(id, payload);
        if (joined === 'joined') {
          this.remember(groupKey, id);
          logger.info({ incident: id, groupKey, status: request.delivery.status, caller }, 'alert joined its incident');
          return { incidentId: id, outcome: 'joined' };
        }
        if (joined === 'closed') continue;
        if (request.delivery.status === 'resolved') {
          return { incidentId: id, outcome: 'ignored', reason: 'no open incident for this alert group; a resolved notification starts none' };
        }
      }
      // Temporal may have forgotten an incident past its retention: the store still knows the ID was used.
      if (id !== known && (await records?.get(id))) continue;
      const { start, rule } = await this.startRequest(request, id, actor);
      let outcome: Awaited<ReturnType<IncidentService['commandWithStart']>>;
      try {
        outcome = await incidents.commandWithStart(start, 'recordAlerts', payload);
      } catch (error) {
        // Ended under this ID, or closed and finishing: the group's next incident.
        if (isClosedOrUsed(error)) continue;
        throw error;
      }
      this.remember(groupKey, id);
      if (!outcome.result.firstCommand) {
        logger.info({ incident: id, groupKey, status: request.delivery.status, caller }, 'alert joined its incident');
        return { incidentId: id, outcome: 'joined' };
      }
      logger.info({ incident: id, groupKey, playbook: start.playbook.id, rule, caller }, 'alert started an incident');
      return { incidentId: id, outcome: 'started', playbook: start.playbook.id, rule };
    }
    throw new HttpError(409, 'conflict', `alert group has more than ${MAX_GENERATIONS} incidents; refusing to look further`);
  }

  /** Delivers to a known incident: joined, closed (ended, or refusing because it is closed), or absent. */
  private async join(id: string, payload: Parameters<IncidentService['command']>[2]): Promise<'joined' | 'closed' | 'absent'> {
    try {
      // Deliveries of a group are handled one at a time here, so they are not held to the per-incident command rate.
      await this.options.incidents.command(id, 'recordAlerts', payload as never, { unlimited: true, door: 'alert' });
      return 'joined';
    } catch (error) {
      if (isClosedOrUsed(error)) return 'closed';
      if (error instanceof HttpError && error.status === 404) return 'absent';
      throw error;
    }
  }

  /** Remembers the group's incident, keeping the newest MAX_REMEMBERED_GROUPS groups. */
  private remember(groupKey: string, id: string): void {
    this.recent.delete(groupKey);
    this.recent.set(groupKey, id);
    if (this.recent.size > MAX_REMEMBERED_GROUPS) this.recent.delete(this.recent.keys().next().value!);
  }

  private async startRequest(request: AlertIntakeRequest, id: string, reporter: string) {
    const route = routeAlert(this.options.rules, request.labels, this.options.defaultTeam);
    if (!route) {
      throw new HttpError(422, 'unprocessable', 'no alert rule matches these labels and the alert rules have no default playbook', [
        `labels: ${JSON.stringify(request.labels).slice(0, 300)} match no rule`,
      ]);
    }
    const playbook = await this.options.playbooks.get(route.playbook);
    if (!playbook) {
      throw new HttpError(422, 'unprocessable', `alert rule "${route.rule}" names playbook "${route.playbook}", which does not exist`, [
        `playbook: unknown "${route.playbook}"`,
      ]);
    }
    // The labels' severity only when the playbook knows it; otherwise the playbook's default.
    const severity = route.severity && playbook.severities.includes(route.severity) ? route.severity : undefined;
    // The source (the token's name) reports an alert's incident, but it cannot command one: where the playbook makes
    // the reporter commander, the on-call person takes command once Opsgenie names them.
    const commandedByOnCall = playbook.defaultCommander === 'reporter' && playbook.opsgenie.inviteOnCall;
    const started = commandedByOnCall ? { ...playbook, defaultCommander: 'oncall' } : playbook;
    return {
      start: { id, name: request.name, summary: request.summary, team: route.team, reporter, playbook: started, ...(severity ? { severity } : {}) },
      rule: route.rule,
    };
  }
}
