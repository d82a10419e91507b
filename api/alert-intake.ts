/**
 * Alerts from monitoring become incidents: one incident per alert group while it is open. The incident's ID is derived
 * from the group key (`al-<hash>-<n>`, n counting the group's incidents): the first delivery is a signal-with-start of
 * `recordAlerts` to that ID, later ones an Update of the running incident, so repeats and concurrent deliveries land on
 * the same workflow. Within this process,
 * deliveries of one group are handled one at a time, so the team's incident number is drawn once; across several API
 * processes a race can at worst skip a number, never make a second incident.
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
  /** The store's records find an alert group's open incident without asking Temporal; optional. */
  records?: IncidentRecordRepository;
  logger: Logger;
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

export class AlertIntake {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: AlertIntakeOptions) {}

  /** Handles one delivery; deliveries of the same group wait for each other. */
  receive(request: AlertIntakeRequest, caller: string): Promise<AlertOutcome> {
    const key = request.delivery.groupKey;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.handle(request, caller));
    this.queues.set(key, run);
    // Forget the queue once it drains, so the map holds only groups with deliveries in flight.
    void run.finally(() => {
      if (this.queues.get(key) === run) this.queues.delete(key);
    }).catch(() => undefined);
    return run;
  }

  private async handle(request: AlertIntakeRequest, caller: string): Promise<AlertOutcome> {
    const { incidents, logger } = this.options;
    const actor = USERNAME_PATTERN.test(caller) ? caller : 'alertmanager';
    const payload = { ...request.delivery, actor };
    const base = `al-${createHash('sha256').update(request.delivery.groupKey).digest('hex').slice(0, 16)}`;

    // The open incident of this group, if any: from the store's records, else by walking the group's generations.
    // Only records of this group's own IDs count (an incident started by hand may follow the group too).
    const own = new RegExp(`^${base}-(\\d+)$`);
    const open = await this.options.records?.openForAlertGroup(request.delivery.groupKey);
    const openGeneration = open ? own.exec(open.id)?.[1] : undefined;
    let generation = openGeneration ? Number(openGeneration) : ((await this.options.records?.countForAlertGroup(request.delivery.groupKey)) ?? 0) + 1;
    for (let tries = 0; tries < MAX_GENERATIONS; tries++, generation++) {
      const id = `${base}-${generation}`;
      const state = await incidents.describe(id);
      if (state === 'ended') continue; // closed: a new firing opens the group's next incident
      if (state === 'running') {
        // As an Update: a closed incident still finishing (archiving its channel) refuses it, and the next generation is
        // tried, instead of a signal being accepted and then dropped.
        if (!(await this.deliver(id, payload))) continue;
        logger.info({ incident: id, groupKey: request.delivery.groupKey, status: request.delivery.status, caller }, 'alert joined its incident');
        return { incidentId: id, outcome: 'joined' };
      }
      // Temporal may have forgotten an incident past its retention: the store still knows the ID was used.
      if (await this.options.records?.get(id)) continue;
      // Nothing under this ID yet. A resolved notification with no open incident has nothing to resolve.
      if (request.delivery.status === 'resolved') {
        return { incidentId: id, outcome: 'ignored', reason: 'no open incident for this alert group; a resolved notification starts none' };
      }
      const { start, rule } = await this.startRequest(request, id, actor);
      // Signal-with-start: if another API process started it a moment ago, this only delivers the signal.
      const started = await incidents.startWithCommand(start, 'recordAlerts', payload).catch(async (error: unknown) => {
        if ((await incidents.describe(id)) === 'ended') return undefined;
        throw error;
      });
      if (!started) continue;
      logger.info({ incident: id, groupKey: request.delivery.groupKey, playbook: start.playbook.id, rule, caller }, 'alert started an incident');
      return { incidentId: id, outcome: 'started', playbook: start.playbook.id, rule };
    }
    throw new HttpError(409, 'conflict', `alert group has more than ${MAX_GENERATIONS} incidents; refusing to look further`);
  }

  /** False when the incident refuses the delivery because it is closed (or ended meanwhile). */
  private async deliver(id: string, payload: Parameters<IncidentService['command']>[2]): Promise<boolean> {
    try {
      await this.options.incidents.command(id, 'recordAlerts', payload as never);
      return true;
    } catch (error) {
      if (error instanceof HttpError && (error.status === 409 || error.status === 404) && (await this.options.incidents.describe(id)) !== 'running') return false;
      if (error instanceof HttpError && error.status === 409 && /is closed/.test(error.message)) return false;
      throw error;
    }
  }

  private async startRequest(request: AlertIntakeRequest, id: string, reporter: string) {
    const route = routeAlert(this.options.rules, request.labels);
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
    return {
      start: { id, name: request.name, summary: request.summary, team: route.team, reporter, playbook, ...(severity ? { severity } : {}) },
      rule: route.rule,
    };
  }
}
