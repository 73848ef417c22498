import Ajv from 'ajv';
import { err, ok, Result } from '@lib/common';
import { describeErrors } from '@lib/metadata';
import { fromOtlp, OtlpRequest, StoredSpan } from './span-store.processor';

/** Most spans one OTLP request may carry (the body is also bounded by MAX_REQUEST_BYTES). */
export const MAX_INTAKE_SPANS = 10000;
/** Per span, as for our own spans (SpanLimits): attributes, events, links; attributes of an event or link too. */
const MAX_PER_SPAN = 128;

const hex = (n: number) => ({ type: 'string', pattern: `^[0-9a-fA-F]{${n}}$` });
/** Nanoseconds since 1970 as OTLP JSON writes them: at most 19 digits (before the year 2286), so a date stays a date. */
const nanos = {
  anyOf: [
    { type: 'string', pattern: '^[0-9]{1,19}$' },
    { type: 'integer', minimum: 0, maximum: 2 ** 63 },
  ],
};
const anyValue = {
  type: 'object',
  properties: {
    stringValue: { type: 'string', maxLength: 65536 },
    boolValue: { type: 'boolean' },
    intValue: { anyOf: [{ type: 'string', pattern: '^-?[0-9]{1,20}$' }, { type: 'integer' }] },
    doubleValue: { type: 'number' },
    arrayValue: { type: 'object' },
    kvlistValue: { type: 'object' },
    bytesValue: { type: 'string' },
  },
  minProperties: 1,
  maxProperties: 1,
};
const attributes = {
  type: 'array',
  maxItems: MAX_PER_SPAN,
  items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string', minLength: 1, maxLength: 256 }, value: anyValue } },
};

/**
 * OTLP JSON's ExportTraceServiceRequest, as far as we store it: the OpenTelemetry protocol's JSON encoding (hex
 * ids, nanosecond times as decimal strings or numbers), bounded like our own spans. Unknown fields are allowed, as
 * the protocol asks of receivers. What the intake validates, and what the OpenAPI document shows for it and for the
 * spans the service answers (plain JSON Schema of the subset OpenAPI 3.0 shares).
 */
export const OTLP_TRACES_SCHEMA = {
  type: 'object',
  required: ['resourceSpans'],
  properties: {
    resourceSpans: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          resource: { type: 'object', properties: { attributes } },
          scopeSpans: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                scope: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
                spans: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['traceId', 'spanId', 'name', 'startTimeUnixNano', 'endTimeUnixNano'],
                    properties: {
                      traceId: hex(32),
                      spanId: hex(16),
                      parentSpanId: { anyOf: [hex(16), { type: 'string', maxLength: 0 }] },
                      name: { type: 'string', minLength: 1 },
                      kind: { type: 'integer', minimum: 0, maximum: 5 },
                      startTimeUnixNano: nanos,
                      endTimeUnixNano: nanos,
                      attributes,
                      events: {
                        type: 'array',
                        maxItems: MAX_PER_SPAN,
                        items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, timeUnixNano: nanos, attributes } },
                      },
                      links: {
                        type: 'array',
                        maxItems: MAX_PER_SPAN,
                        items: { type: 'object', required: ['traceId', 'spanId'], properties: { traceId: hex(32), spanId: hex(16), attributes } },
                      },
                      status: { type: 'object', properties: { code: { type: 'integer', minimum: 0, maximum: 2 }, message: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: false, strict: false }).compile<OtlpRequest>(OTLP_TRACES_SCHEMA);

/**
 * An OTLP JSON body (`POST /v1/traces`) as the spans to store: ids in lowercase, an empty parentSpanId dropped.
 * The error names the first field that is wrong, e.g. `resourceSpans[0].scopeSpans[0].spans[2].traceId must
 * match pattern ...`; a request of more than MAX_INTAKE_SPANS spans, or with an all-zero id, is refused whole.
 */
export function parseOtlpTraces(body: unknown): Result<StoredSpan[]> {
  if (!validate(body)) return err(describeErrors('body', validate.errors ?? [])[0] ?? 'body is not an OTLP JSON trace request');
  const count = (body.resourceSpans ?? []).reduce((n, rs) => n + (rs.scopeSpans ?? []).reduce((m, ss) => m + (ss.spans ?? []).length, 0), 0);
  if (count > MAX_INTAKE_SPANS) return err(`body has ${count} spans; at most ${MAX_INTAKE_SPANS} per request`);
  const spans = fromOtlp(body).map((s) => {
    const { parentSpanId, ...span } = s.span;
    const traceId = s.traceId.toLowerCase();
    const spanId = s.spanId.toLowerCase();
    const parent = typeof parentSpanId === 'string' && parentSpanId !== '' ? { parentSpanId: parentSpanId.toLowerCase() } : {};
    return {
      ...s,
      traceId,
      spanId,
      span: { ...span, traceId, spanId, ...parent, startTimeUnixNano: String(span.startTimeUnixNano), endTimeUnixNano: String(span.endTimeUnixNano) },
    };
  });
  const zero = spans.find((s) => /^0+$/.test(s.traceId) || /^0+$/.test(s.spanId));
  if (zero) return err(`span "${zero.span.name}" has an all-zero trace or span id, which OTLP calls invalid`);
  return ok(spans);
}
