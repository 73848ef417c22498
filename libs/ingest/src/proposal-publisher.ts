import { Injectable } from '@nestjs/common';
import { context, Span, SpanKind, trace } from '@opentelemetry/api';
import { Settings } from '@lib/config';
import { KafkaPublisher, OutgoingRecord } from '@lib/kafka';
import {
  EntityRegistry,
  MetadataChangeProposal,
  SystemMetadata,
  DEFAULT_RUN_ID,
  END_TIME_MILLIS_HEADER,
  START_TIME_MILLIS_HEADER,
  TimeRange,
} from '@lib/metadata';
import { tracer } from '@lib/telemetry';
import { timeseriesChangeLogOf } from './change-log';
import { aspectRecord, stampTelemetry } from './message-telemetry';
import { JSON_PATCH_CONTENT_TYPE } from './patch';
import { PURGE_HEADER } from './write-rules';

/** One aspect of one entity, as a client asked to write it (already validated). */
export interface AspectWrite {
  entityType: string;
  urn: string;
  aspectName: string;
  value: unknown;
  /** `value` as JSON text, when the caller already serialized it (to check its size): what goes out as is. */
  valueJson?: string;
  systemMetadata?: Partial<SystemMetadata>;
  headers?: Record<string, string>;
  /** `value` is a JSON Patch document (changeType PATCH), applied by the consumer to the stored value. */
  patch?: boolean;
  /**
   * A DELETE of the aspect (of the whole entity when it is the key aspect); `value` is ignored. With `purge`,
   * every stored value goes too (PURGE_HEADER); the tombstone stays. A timeseries aspect's delete removes its
   * events in the range (START_/END_TIME_MILLIS_HEADER), all of them without one.
   */
  delete?: { purge: boolean } & TimeRange;
}

/**
 * The API side of an asynchronous write: each aspect becomes one MetadataChangeProposal on the MCP
 * topic keyed by URN (so a URN's writes stay ordered), or - for a timeseries aspect - a change log
 * on the timeseries topic straight away. The whole request goes out as one batch, under one trace.
 */
@Injectable()
export class ProposalPublisher {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly registry: EntityRegistry,
    private readonly settings: Settings,
  ) {}

  /** The proposals as they will be applied, with the system metadata the client may read back. */
  proposalsOf(writes: AspectWrite[], actor: string, now = Date.now()): MetadataChangeProposal[] {
    return writes.map((w) => ({
      entityType: w.entityType,
      entityUrn: w.urn,
      changeType: w.delete ? 'DELETE' : w.patch ? 'PATCH' : 'UPSERT',
      aspectName: w.aspectName,
      ...(w.delete ? {} : { aspect: { value: w.valueJson ?? JSON.stringify(w.value), contentType: w.patch ? JSON_PATCH_CONTENT_TYPE : 'application/json' } }),
      systemMetadata: {
        ...w.systemMetadata,
        runId: w.systemMetadata?.runId ?? DEFAULT_RUN_ID,
        lastObserved: now,
        // The request's trace id wins over anything the client sent: it is what the trace endpoint looks for.
        properties: { ...(w.systemMetadata?.properties ?? {}), telemetryTraceId: trace.getActiveSpan()?.spanContext().traceId ?? '' },
      },
      ...headersOf(w),
      created: { time: now, actor },
    }));
  }

  /** Publishes the proposals (and timeseries change logs) in one batch; resolves once Kafka acknowledged all. */
  async publish(mcps: MetadataChangeProposal[]): Promise<MetadataChangeProposal[]> {
    const parent = tracer().startSpan('ingestProposalAsync', { attributes: { 'batch.size': mcps.length } });
    try {
      return await context.with(trace.setSpan(context.active(), parent), async () => {
        const now = Date.now();
        const sent: MetadataChangeProposal[] = [];
        const records: OutgoingRecord[] = mcps.map((mcp) => {
          const timeseries = this.registry.isTimeseries(mcp.entityType, mcp.aspectName);
          const topic = timeseries ? this.settings.topics.mclTimeseries : this.settings.topics.mcp;
          return this.withProducerSpan(topic, (span) => {
            const stamped = { ...mcp, systemMetadata: stampTelemetry(mcp.systemMetadata as SystemMetadata, span, now) };
            sent.push(stamped);
            return aspectRecord(topic, mcp, timeseries ? timeseriesChangeLogOf(stamped, now) : stamped, stamped.systemMetadata, span);
          });
        });
        await this.publisher.send(records);
        return sent;
      });
    } finally {
      parent.end();
    }
  }

  private withProducerSpan<T>(topic: string, work: (span: Span) => T): T {
    const span = tracer().startSpan('produceMetadataChangeProposal', {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation': 'publish' },
    });
    try {
      return work(span);
    } finally {
      span.end();
    }
  }
}

/** The proposal's headers: the client's, and a delete's purge flag and time range. */
function headersOf(w: AspectWrite): Pick<MetadataChangeProposal, 'headers'> {
  const d = w.delete;
  const headers = {
    ...(w.headers ?? {}),
    ...(d?.purge ? { [PURGE_HEADER]: 'true' } : {}),
    ...(d?.startTimeMillis !== undefined ? { [START_TIME_MILLIS_HEADER]: String(d.startTimeMillis) } : {}),
    ...(d?.endTimeMillis !== undefined ? { [END_TIME_MILLIS_HEADER]: String(d.endTimeMillis) } : {}),
  };
  return Object.keys(headers).length ? { headers } : {};
}
