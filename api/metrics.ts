/**
 * The API process's Prometheus metrics, served at GET /metrics (text format, prom-client): HTTP requests by route and
 * status with their latency, incident commands by name, door (rest, chat, alert) and outcome, alert deliveries by
 * outcome, and the incidents in the store by status and severity (counted when scraped). The worker's metrics (Temporal
 * SDK, integration calls, launch duration) come from the SDK runtime's Prometheus exporter in the worker
 * (temporal/runtime-logging.ts, WORKER_METRICS_ADDRESS).
 *
 * One registry per app, not prom-client's global one: a process (or a test run) may hold several apps.
 */
import promClient from 'prom-client';
import type { IncidentStatus } from '../domain/incident.js';

// prom-client is CommonJS: under Node's ESM loader its classes are properties of the default export.
const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient;

/** Where a command came from. Signals sent straight to Temporal are counted by the worker. */
export type CommandDoor = 'rest' | 'chat' | 'alert';
/** applied; duplicate (an Update ID seen before: answered, not applied again); refused (4xx); failed (5xx, timeouts). */
export type CommandOutcome = 'applied' | 'duplicate' | 'refused' | 'failed';
/** started an incident; joined an open one (a repeat, a resolved notice); ignored; failed. */
/** accepted: taken for its group (at the door); the others: what its group's incident made of it. */
export type AlertOutcome = 'accepted' | 'started' | 'joined' | 'ignored' | 'failed';

export interface IncidentCount {
  status: IncidentStatus;
  severity: string;
  count: number;
}

export interface ApiMetrics {
  readonly registry: promClient.Registry;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  command(name: string, door: CommandDoor, outcome: CommandOutcome): void;
  alertDelivery(outcome: AlertOutcome, alerts: number): void;
}

/** Latency buckets for HTTP and commands: most answers take milliseconds, an Update under load seconds. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A counter registered in `registry` (the API's own, so tests and processes never share one). */
function counter<Label extends string>(registry: promClient.Registry, name: string, help: string, labelNames: readonly Label[]): promClient.Counter<Label> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createApiMetrics(options: { incidentCounts?: () => Promise<IncidentCount[]>; livePages?: () => number } = {}): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = counter(registry, 'incident_api_http_requests_total', 'HTTP requests answered, by method, route (the route pattern, not the path) and status', ['method', 'route', 'status'] as const);
  const latency = new Histogram({
    name: 'incident_api_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const commands = counter(registry, 'incident_commands_total', 'Incident commands sent by this API, by command, door (rest, chat, alert) and outcome (applied, duplicate, refused, failed)', ['command', 'door', 'outcome'] as const);
  const alertDeliveries = counter(registry, 'incident_alert_deliveries_total', 'Alert deliveries (one group of alerts each), by outcome: accepted (taken for its alert group, answered 202), then what the group made of it: started an incident, joined an open one (a repeat: deduplicated), ignored, failed', ['outcome'] as const);
  const alerts = counter(registry, 'incident_alerts_total', 'Alerts received (one delivery carries one or more), by the outcome of their delivery', ['outcome'] as const);
  if (options.incidentCounts) {
    const counts = options.incidentCounts;
    new Gauge({
      name: 'incident_incidents',
      help: 'Incidents in the store, by status and severity (counted at each scrape)',
      labelNames: ['status', 'severity'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { status, severity, count } of await counts()) this.set({ status, severity }, count);
      },
    });
  }
  if (options.livePages) {
    const open = options.livePages;
    new Gauge({
      name: 'incident_api_live_pages_open',
      help: 'Live incident pages (server-sent event streams) this API process serves',
      registers: [registry],
      collect() {
        this.set(open());
      },
    });
  }
  return {
    registry,
    httpRequest(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    command(name, door, outcome) {
      commands.inc({ command: name, door, outcome });
    },
    alertDelivery(outcome, count) {
      alertDeliveries.inc({ outcome });
      // Each alert counted once, by where its delivery ended up.
      if (outcome !== 'accepted') alerts.inc({ outcome }, count);
    },
  };
}
