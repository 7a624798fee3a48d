// Traces, off unless the standard OpenTelemetry variables ask for them: OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (OTLP over HTTP), OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER
// (`none` turns them off). Temporal's OpenTelemetry plugin carries the trace through Temporal's
// headers: the receiver's span for a delivery is the parent of the workflow start, which is the
// parent of the run's workflow and activity spans on the worker.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

export interface Tracing {
  plugin: OpenTelemetryPlugin;
  /** Sends what is still buffered; call before the process exits. */
  shutdown(): Promise<void>;
}

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_TRACES_EXPORTER ?? '').trim() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let installed: Tracing | undefined;

/** The process's tracing (one provider per process, registered globally), or undefined when off. */
export function tracingFromEnv(defaultService: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!tracingEnabled(env)) return undefined;
  if (installed) return installed;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || defaultService });
  // The exporter reads the endpoint, headers and timeout from the OTEL_* variables itself.
  const processor: SpanProcessor = new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  trace.setGlobalTracerProvider(provider);
  // The active span follows async calls (a delivery's span is the parent of the starts it makes),
  // and crosses Temporal's headers as W3C trace context (a start's span is the parent of the run's).
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  installed = { plugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }), shutdown: () => provider.shutdown() };
  return installed;
}
