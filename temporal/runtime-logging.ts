/**
 * Sends the Temporal SDK's own logs (worker lifecycle, workflow and activity `log` calls) through pino, so the service
 * writes one structured format. Lines about an incident's workflow or activities carry its `incidentId`.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function incidentIdOf(workflowId: unknown): string | undefined {
  return typeof workflowId === 'string' && workflowId.startsWith('incident-') ? workflowId.slice('incident-'.length) : undefined;
}

/**
 * What the SDK warns about that is expected in a process: the API runs an activity-only worker (the alert intake), and
 * the SDK says at every start that it polls no workflow tasks. Such lines go out at debug.
 */
export const EXPECTED_IN_API = [/^No workflows registered, not polling for workflow tasks/, /^No Nexus services registered/];

export function toPino(logger: Logger, expected: readonly RegExp[] = []): (entry: LogEntry) => void {
  return ({ level, message, meta }) => {
    const incidentId = incidentIdOf(meta?.workflowId);
    const pinoLevel = expected.some((pattern) => pattern.test(message)) ? 'debug' : PINO_LEVEL[level];
    logger[pinoLevel]({ ...meta, ...(incidentId ? { incidentId } : {}), source: 'temporal' }, message);
  };
}

/**
 * Installs the Temporal runtime once per process, logging through pino. `shutdownSignals: []` leaves Ctrl-C to us.
 * With `metricsAddress` (WORKER_METRICS_ADDRESS, host:port) the SDK serves Prometheus metrics at
 * http://<address>/metrics: its own (workflow and activity tasks, latencies, pollers, cache) and the incident
 * service's (integration calls, launch durations), counters with the `_total` suffix.
 */
export function installTemporalRuntime(
  logger: Logger,
  options: { handleSignals: boolean; level?: LogLevel; metricsAddress?: string; expected?: readonly RegExp[] },
): void {
  Runtime.install({
    logger: new DefaultLogger(options.level ?? 'INFO', toPino(logger, options.expected)),
    ...(options.handleSignals ? {} : { shutdownSignals: [] }),
    ...(options.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress, countersTotalSuffix: true } } } } : {}),
  });
}
