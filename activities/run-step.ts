/**
 * The wrapper every integration activity runs in: heartbeats while the call is in flight, classified failures, and the
 * integration metrics (calls by system, operation and outcome, their duration, and retries), recorded through the
 * activity's Temporal metric meter: they leave with the SDK's own metrics from the worker's Prometheus exporter
 * (WORKER_METRICS_ADDRESS), tagged with the activity type, namespace and task queue.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Context, log } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { toActivityFailure } from './classify-failure.js';
import { whileHeartbeating } from './heartbeat.js';
import { messageOf } from '../domain/errors.js';

/** The external system a step talks to. */
export type IntegrationSystem = 'mattermost' | 'jira' | 'zoom' | 'opsgenie' | 'pagerduty' | 'webhook';

interface IntegrationInstruments {
  calls: ReturnType<MetricMeter['createCounter']>;
  duration: ReturnType<MetricMeter['createHistogram']>;
  retries: ReturnType<MetricMeter['createCounter']>;
}

/** Instruments per meter (one per worker runtime; a test may run several). */
const instruments = new WeakMap<MetricMeter, IntegrationInstruments>();

function instrumentsOf(meter: MetricMeter): IntegrationInstruments {
  let found = instruments.get(meter);
  if (!found) {
    found = {
      calls: meter.createCounter('incident_integration_calls', 'calls', 'Calls to Mattermost, Jira, Zoom, Opsgenie or PagerDuty, and webhooks, by system, operation and outcome'),
      duration: meter.createHistogram('incident_integration_call_duration', 'int', 'ms', 'How long a call to an external system took, by system, operation and outcome'),
      retries: meter.createCounter('incident_integration_retries', 'calls', 'Calls that were a retry (Temporal attempt 2 or later), by system and operation'),
    };
    instruments.set(meter, found);
  }
  return found;
}

/** Spans per integration call; a no-op unless the worker traces (temporal/tracing.ts registers the provider). */
const tracer = trace.getTracer('incident-collaboration');

/**
 * Whether a resource this step makes may exist already, so it must be looked up before it is made: not on the first
 * attempt of a first launch (nothing could have made it: the look-up would only cost a round trip on the launch's
 * critical path), but on any retry (an earlier attempt may have made it before failing) and on a step run again by
 * `/incident retry`.
 */
export function mayExistAlready(request: { fresh?: boolean }): boolean {
  return request.fresh !== true || Context.current().info.attempt > 1;
}

export async function runStep<T>(system: IntegrationSystem, step: string, key: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`${system} ${step}`, { attributes: { 'incident.system': system, 'incident.operation': step } }, async (span) => {
    try {
      return await measuredStep(system, step, key, work);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

async function measuredStep<T>(system: IntegrationSystem, step: string, key: string, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const metrics = instrumentsOf(context.metricMeter);
  const started = Date.now();
  if (context.info.attempt > 1) metrics.retries.add(1, { system, operation: step });
  const record = (outcome: string) => {
    const tags = { system, operation: step, outcome };
    metrics.calls.add(1, tags);
    metrics.duration.record(Date.now() - started, tags);
  };
  try {
    const result = await whileHeartbeating(work);
    record('ok');
    return result;
  } catch (error) {
    log.warn(`${step} failed`, { key, error: messageOf(error) });
    const failure = toActivityFailure(error);
    // A failure Temporal will not retry is final; any other is tried again (and counted again).
    record((failure as { nonRetryable?: boolean } | null)?.nonRetryable === true ? 'failed' : 'retryable_error');
    throw failure;
  }
}
