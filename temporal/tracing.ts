/**
 * OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then spans go by OTLP over HTTP (JSON) to that
 * collector, and one trace follows a request from the API (a span per request) through Temporal (Temporal's own
 * interceptors carry the context in message headers: the client's start, update and signal, the workflow's handlers,
 * its activities) to each integration call (a span per call, activities/run-step.ts). The standard OTEL_* variables
 * (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_SCHEDULE_DELAY...) are read by the SDK itself.
 *
 * The workflow side needs Temporal's workflow interceptors inside the workflow bundle: a worker that traces loads
 * the bundle built with them (dist/workflow-bundle-traced.js) or, from source, bundles them in; one that does not
 * trace runs without them, so tracing costs nothing when it is off.
 */
import { createRequire } from 'node:module';
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { WorkflowClientInterceptor } from '@temporalio/client';

/** The module of Temporal's workflow interceptors for OpenTelemetry: bundled into the traced workflow bundle. */
export const TRACING_WORKFLOW_INTERCEPTORS = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  tracer: Tracer;
  /** For the Temporal client: carries the active trace into what it sends. */
  clientInterceptors: { workflow: WorkflowClientInterceptor[] };
  /** For the worker: activity spans, and the sink that exports the workflow's spans. */
  workerOptions: Pick<WorkerOptions, 'sinks'> & { interceptors: NonNullable<WorkerOptions['interceptors']> };
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** Starts tracing for this process when an OTLP endpoint is configured; undefined (and nothing started) otherwise. */
export function startTracing(serviceName: string, endpoint: string | undefined): Tracing | undefined {
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName });
  // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (adding /v1/traces) and OTEL_EXPORTER_OTLP_HEADERS itself.
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The global provider, with the AsyncLocalStorage context manager: the active span follows async calls.
  provider.register();
  const tracer = trace.getTracer('incident-collaboration');
  return {
    tracer,
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    workerOptions: {
      interceptors: {
        client: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
        activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: { exporter: makeWorkflowExporter(processor, resource) },
    },
    shutdown: () => provider.shutdown(),
  };
}
