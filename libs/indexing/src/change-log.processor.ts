import { Injectable, Logger, Optional } from '@nestjs/common';
import { Context, Span, SpanStatusCode } from '@opentelemetry/api';
import { startConsumerSpan, tracer } from '@lib/telemetry';
import { ConsumedBatch } from '@lib/kafka';
import { EntityRegistry } from '@lib/metadata';
import { Metrics } from '@lib/metrics';
import { AspectChange, BulkWriter, EntityDocumentRepository, SystemMetadataRepository, TimeseriesRepository } from '@lib/search';
import { parseChangeLog } from './change-log-parser';

/**
 * Indexes one partition's batch of MetadataChangeLogs: versioned aspects into the entity document and
 * the system-metadata document, timeseries aspects into their aspect index - all in one bulk request.
 * Returning means OpenSearch accepted every item, so the runner may commit; throwing means the batch
 * is redelivered, which is safe because every write is idempotent (deterministic ids, version guards).
 */
@Injectable()
export class ChangeLogProcessor {
  private readonly logger = new Logger(ChangeLogProcessor.name);

  constructor(
    private readonly registry: EntityRegistry,
    private readonly bulk: BulkWriter,
    private readonly entities: EntityDocumentRepository,
    private readonly systemMetadata: SystemMetadataRepository,
    private readonly timeseries: TimeseriesRepository,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async process(batch: ConsumedBatch): Promise<void> {
    const versioned: AspectChange[] = [];
    const events: AspectChange[] = [];
    const spans: { span: Span; context: Context }[] = [];
    for (const message of batch.messages) {
      const parsed = parseChangeLog(message.value, this.registry);
      if (!parsed.ok) {
        this.logger.error(`skipping unprocessable change log ${batch.topic}[${batch.partition}]@${message.offset}: ${parsed.reason}`);
        continue;
      }
      const properties = (parsed.change.systemMetadata.properties ?? {}) as Record<string, string>;
      spans.push(
        startConsumerSpan('consume', { topic: batch.topic, partition: batch.partition, offset: message.offset, headers: message.headers, properties }),
      );
      (parsed.timeseries ? events : versioned).push(parsed.change);
    }
    try {
      await this.index(batch, versioned, events, spans);
      this.metrics?.changeLogsIndexed.inc(versioned.length + events.length);
    } catch (err) {
      for (const { span } of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      for (const { span } of spans) span.end();
    }
  }

  /**
   * One bulk request for the batch, under one span: parented on the first message's consumer span
   * and linked to every other, since a batch may mix the writes of many requests.
   */
  private async index(batch: ConsumedBatch, versioned: AspectChange[], events: AspectChange[], spans: { span: Span; context: Context }[]): Promise<void> {
    const operations = [
      ...this.entities.upsertOperations(versioned),
      ...this.systemMetadata.upsertOperations(versioned),
      ...this.timeseries.indexOperations(events),
    ];
    if (operations.length === 0) return;
    const first = batch.messages[0].offset;
    const last = batch.messages[batch.messages.length - 1].offset;
    const span = tracer().startSpan(
      'indexBulk',
      {
        attributes: {
          'db.system': 'opensearch',
          'db.operation': 'bulk',
          'db.opensearch.documents': operations.length,
          'db.request.bytes': Buffer.byteLength(JSON.stringify(operations.map((o) => o.document ?? null))),
        },
        links: spans.slice(1).map((s) => ({ context: s.span.spanContext() })),
      },
      spans[0]?.context,
    );
    try {
      // The trace endpoint finds timeseries documents by search, which sees only refreshed documents:
      // waiting for the refresh before committing means a committed event is always findable.
      const outcome = await this.bulk.write(operations, { waitForSearch: events.length > 0 });
      span.setAttributes({ 'db.opensearch.written': outcome.written, 'db.opensearch.unchanged': outcome.unchanged });
      for (const r of outcome.rejected ?? []) this.logger.error(`OpenSearch refused ${r.label} (${r.status} ${r.error}); skipped, not retried`);
      this.logger.debug(`${batch.topic}[${batch.partition}]@${first}..${last}: ${outcome.written} written, ${outcome.unchanged} unchanged`);
    } catch (err) {
      this.metrics?.dependencyError('opensearch', 'bulk_index');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      this.logger.error(`indexing ${batch.topic}[${batch.partition}]@${first}..${last} failed, not committing: ${(err as Error).message}`);
      throw err;
    } finally {
      span.end();
    }
  }
}
