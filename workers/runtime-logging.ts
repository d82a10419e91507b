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

export function toPino(logger: Logger): (entry: LogEntry) => void {
  return ({ level, message, meta }) => {
    const incidentId = incidentIdOf(meta?.workflowId);
    logger[PINO_LEVEL[level]]({ ...meta, ...(incidentId ? { incidentId } : {}), source: 'temporal' }, message);
  };
}

/** Installs the Temporal runtime once per process, logging through pino. `shutdownSignals: []` leaves Ctrl-C to us. */
export function installTemporalRuntime(logger: Logger, options: { handleSignals: boolean; level?: LogLevel }): void {
  Runtime.install({
    logger: new DefaultLogger(options.level ?? 'INFO', toPino(logger)),
    ...(options.handleSignals ? {} : { shutdownSignals: [] }),
  });
}
