/**
 * The tracer behind the port, on OpenTelemetry: spans batched and sent as OTLP/HTTP (JSON) to the collector.
 * Imported only by startTracing when PADDOCK_TRACING_ENDPOINT is set (a dynamic import), so a daemon without the
 * setting loads none of this. Context follows async calls (AsyncLocalStorage), so an engine call made while serving a
 * request or supervising a run is a child of that request's or run's span.
 */
import { context, diag, DiagLogLevel, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { loggerFor } from './logger.ts';
import type { SpanAttributes, SpanHandle, SpanKind as Kind, SpanOptions, Tracer } from './tracer.ts';

export interface OtelOptions {
  /** The collector: a base URL (/v1/traces is added) or the full traces URL. */
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** How long spans wait in the batch before they are sent (ms). */
  flushEveryMs?: number;
}

const KINDS: Record<Kind, SpanKind> = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT };

class Handle implements SpanHandle {
  readonly span: Span;
  constructor(span: Span) {
    this.span = span;
  }
  setName(name: string): void {
    this.span.updateName(name);
  }
  setAttributes(attrs: SpanAttributes): void {
    this.span.setAttributes(clean(attrs));
  }
  fail(err: unknown): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  end(endTime?: number): void {
    this.span.end(endTime);
  }
}

/** The traces URL for a configured endpoint: a bare collector address gets OTLP's /v1/traces path. */
export function tracesUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/traces';
  return u.toString();
}

export function createOtelTracer(o: OtelOptions): Tracer {
  const log = loggerFor('tracing');
  // The SDK reports export failures (collector down) through diag: into the daemon's log, once per failure.
  diag.setLogger(
    {
      error: (msg) => log.warn({ detail: msg }, 'tracing'),
      warn: (msg) => log.warn({ detail: msg }, 'tracing'),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName, 'service.version': o.serviceVersion }),
    // A git command line or a run's reason can be long; the collector needs the start of it, not all of it.
    spanLimits: { attributeValueLengthLimit: 2048 },
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: tracesUrl(o.endpoint), timeoutMillis: 10_000 }),
        scheduledDelayMillis: o.flushEveryMs ?? 2000,
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const t = provider.getTracer('paddock', o.serviceVersion);

  return {
    startSpan(name, attrs, opts: SpanOptions = {}) {
      let ctx = opts.root ? trace.deleteSpan(context.active()) : context.active();
      if (opts.carrier) ctx = propagation.extract(ctx, opts.carrier, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
      if (opts.parent instanceof Handle) ctx = trace.setSpan(ctx, opts.parent.span);
      const span = t.startSpan(
        name,
        {
          kind: KINDS[opts.kind ?? 'internal'],
          attributes: clean(attrs),
          ...(opts.startTime === undefined ? {} : { startTime: opts.startTime }),
        },
        ctx,
      );
      return new Handle(span);
    },
    withActive(span, fn) {
      return span instanceof Handle ? context.with(trace.setSpan(context.active(), span.span), fn) : fn();
    },
    activeIds() {
      const sc = trace.getActiveSpan()?.spanContext();
      return sc ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
    },
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

function clean(attrs: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}
