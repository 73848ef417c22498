import { Injectable, Logger, Optional } from '@nestjs/common';
import { Context, Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { startConsumerSpan, tracer } from '@lib/telemetry';
import { ConsumedBatch, KafkaPublisher, OutgoingRecord } from '@lib/kafka';
import { Settings } from '@lib/config';
import { EntityRegistry, exceptionToJson, FailedMetadataChangeLog } from '@lib/metadata';
import { Metrics } from '@lib/metrics';
import {
  AspectChange,
  BulkItemRefusal,
  BulkOperation,
  BulkWriter,
  EntityDocumentRepository,
  SystemMetadataRepository,
  TimeseriesDeletion,
  TimeseriesRepository,
} from '@lib/search';
import { parseChangeLog } from './change-log-parser';
import { eventsSurvivingDeletes } from './timeseries-deletes';

/** How much of a refused document an error log line carries. */
const LOGGED_DOCUMENT_CHARS = 4096;

/**
 * Indexes one partition's batch of MetadataChangeLogs: versioned aspects into the entity document and
 * the system-metadata document, timeseries aspects into their aspect index - all in one bulk request.
 * Deletes of timeseries events go first, one delete_by_query each, in log order: a timeseries DELETE
 * (its aspect's events of that URN in its time range; its system-metadata document, `removed` with its
 * trace id, goes into the bulk request), and a versioned DELETE of an entity's key aspect (every event
 * of that URN: the entity is gone). An event the batch writes before a delete that covers it is left
 * out of the bulk request, so running the deletes first ends as the log order would; an event written
 * after the delete survives it.
 * Items that fail with a retriable status (429, 5xx, a version conflict that does not mean stale) are
 * sent again - only they - with bounded exponential backoff until OpenSearch takes them; items refused
 * with 400 (no retry can fix them) are logged at error level with the item, counted in
 * search_documents_refused_total and sent to the dead-letter topic (TOPIC_FAILED_MCL) with the reason, as is
 * a change log that cannot be read at all; the trace finds them there (search ERROR with the reason).
 * Returning means every item is done and every dead letter acknowledged, so the runner may commit;
 * throwing (no answer from OpenSearch, or stop() while items are still failing) means the batch is
 * redelivered, which is safe because every write is idempotent (deterministic ids, version guards).
 */
@Injectable()
export class ChangeLogProcessor {
  private readonly logger = new Logger(ChangeLogProcessor.name);
  private readonly stopping = new AbortController();
  /** Backoff between re-sends of failed items (doubling, with jitter); tests shorten it. */
  backoff = { initialDelayMs: 200, maxDelayMs: 5000 };

  constructor(
    private readonly registry: EntityRegistry,
    private readonly bulk: BulkWriter,
    private readonly entities: EntityDocumentRepository,
    private readonly systemMetadata: SystemMetadataRepository,
    private readonly timeseries: TimeseriesRepository,
    private readonly publisher: KafkaPublisher,
    private readonly settings: Settings,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /**
   * A batch (one message, as PoisonGuard hands it) that fails every time for a reason of its own: to the
   * dead-letter topic with the exception.
   */
  async deadLetter(batch: ConsumedBatch, err: Error): Promise<void> {
    await this.publisher.send(batch.messages.map((m) => this.deadLetterRecord(m.key?.toString('utf8') ?? '', rawChangeLog(m.value), err)));
    this.metrics?.changeLogsDeadLettered.inc(batch.messages.length);
  }

  private deadLetterRecord(key: string, changeLog: unknown, err: Error): OutgoingRecord {
    const failed: FailedMetadataChangeLog = { error: JSON.stringify(exceptionToJson(err)), metadataChangeLog: changeLog };
    return { topic: this.settings.topics.failedMcl, key, value: JSON.stringify(failed) };
  }

  /**
   * The consumer is stopping: a batch whose items are still failing gives up re-sending and throws, so it
   * is not committed (and is redelivered to whoever takes the partition) instead of holding up shutdown.
   */
  stop(): void {
    this.stopping.abort();
  }

  async process(batch: ConsumedBatch): Promise<void> {
    const versioned: AspectChange[] = [];
    /** Timeseries DELETEs: their system-metadata documents. */
    const removals: AspectChange[] = [];
    const events: { change: AspectChange; position: number }[] = [];
    const deletions: (TimeseriesDeletion & { position: number; parent: Context })[] = [];
    const spans: { span: Span; context: Context }[] = [];
    const deadLetters: OutgoingRecord[] = [];
    for (const [position, message] of batch.messages.entries()) {
      const result = parseChangeLog(message.value, this.registry);
      if (!result.ok) {
        this.logger.error(`unprocessable change log ${batch.topic}[${batch.partition}]@${message.offset}: ${result.error}; sent to the dead-letter topic`);
        const reason = Object.assign(new Error(result.error), { name: 'UnprocessableChangeLog' });
        deadLetters.push(this.deadLetterRecord(message.key?.toString('utf8') ?? '', rawChangeLog(message.value), reason));
        continue;
      }
      const parsed = result.value;
      const properties = (parsed.change.systemMetadata.properties ?? {}) as Record<string, string>;
      const consumed = startConsumerSpan('consume', {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        headers: message.headers,
        properties,
      });
      spans.push(consumed);
      const { change } = parsed;
      if (parsed.timeseries && change.value !== null) {
        events.push({ change, position });
      } else if (parsed.timeseries) {
        removals.push(change);
        deletions.push({
          entityType: change.entityType,
          urn: change.urn,
          aspect: change.aspect,
          range: parsed.range ?? {},
          position,
          parent: consumed.context,
        });
      } else {
        versioned.push(change);
        if (change.value === null && change.aspect === this.registry.entity(change.entityType).keyAspect) {
          deletions.push({
            entityType: change.entityType,
            urn: change.urn,
            writtenUpTo: change.systemMetadata.lastObserved,
            position,
            parent: consumed.context,
          });
        }
      }
    }
    try {
      await this.deleteEvents(batch, deletions);
      deadLetters.push(...(await this.index(batch, versioned, removals, eventsSurvivingDeletes(events, deletions), spans)));
      await this.publisher.send(deadLetters);
      this.metrics?.changeLogsIndexed.inc(versioned.length + removals.length + events.length);
      this.metrics?.changeLogsDeadLettered.inc(deadLetters.length);
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
  private async index(
    batch: ConsumedBatch,
    versioned: AspectChange[],
    removals: AspectChange[],
    events: AspectChange[],
    spans: { span: Span; context: Context }[],
  ): Promise<OutgoingRecord[]> {
    const entityOperations = this.entities.upsertOperations(versioned);
    const operations = [...entityOperations, ...this.systemMetadata.upsertOperations([...versioned, ...removals]), ...this.timeseries.indexOperations(events)];
    if (operations.length === 0) return [];
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
    const where = `${batch.topic}[${batch.partition}]@${first}..${last}`;
    try {
      const outcome = await this.bulk.write(operations, {
        // The trace endpoint finds timeseries documents by search, which sees only refreshed documents:
        // waiting for the refresh before committing means a committed event is always findable.
        waitForSearch: events.length > 0,
        retry: {
          ...this.backoff,
          signal: this.stopping.signal,
          onRetry: ({ failures, resending, attempt, delayMs }) => {
            this.metrics?.searchBulkItemsResent.inc(resending);
            const example = failures[0];
            this.logger.warn(
              `indexing ${where}: ${failures.length} of ${operations.length} items failed (e.g. ${example.label}: ${example.status} ${example.error}); ` +
                `re-sending ${resending} in ${delayMs} ms (attempt ${attempt + 1}), not committing before`,
            );
          },
        },
      });
      span.setAttributes({
        'db.opensearch.written': outcome.written,
        'db.opensearch.unchanged': outcome.unchanged,
        'db.opensearch.resent': outcome.resent ?? 0,
      });
      const rejected = outcome.rejected ?? [];
      for (const refusal of rejected) this.refused(where, refusal);
      this.logger.debug(`${where}: ${outcome.written} written, ${outcome.unchanged} unchanged, ${outcome.resent ?? 0} re-sent`);
      const entities = new Set<BulkOperation>(entityOperations);
      await this.recordRefusals(
        where,
        rejected.filter((r) => entities.has(r.operation)),
      );
      return rejected.flatMap((refusal) => this.refusalDeadLetters(refusal));
    } catch (err) {
      this.metrics?.dependencyError('opensearch', 'bulk_index');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      this.logger.error(`indexing ${where} failed, not committing: ${(err as Error).message}`);
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * The batch's deletions of timeseries events, before its bulk request: as few delete_by_query requests as
   * the target indices allow (see TimeseriesRepository.deleteEvents), under one span parented on the first
   * deletion's consumer span and linked to the others'. A failure throws: the batch is not committed and is
   * redelivered, and deleting again what is already deleted is harmless.
   */
  private async deleteEvents(batch: ConsumedBatch, deletions: (TimeseriesDeletion & { parent: Context })[]): Promise<void> {
    if (deletions.length === 0) return;
    const where = `${batch.topic}[${batch.partition}]`;
    const span = tracer().startSpan(
      'deleteTimeseries',
      {
        attributes: { 'db.system': 'opensearch', 'db.operation': 'delete_by_query', 'db.opensearch.deletions': deletions.length },
        links: deletions.slice(1).map((d) => ({ context: trace.getSpanContext(d.parent)! })),
      },
      deletions[0].parent,
    );
    try {
      const deleted = await this.timeseries.deleteEvents(deletions);
      span.setAttribute('db.opensearch.deleted', deleted);
      this.logger.debug(`${where}: ${deletions.length} deletions removed ${deleted} timeseries events`);
    } catch (err) {
      this.metrics?.dependencyError('opensearch', 'delete_by_query');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      const example = deletions[0];
      const what = example.aspect === undefined ? `the events of deleted entity ${example.urn}` : `${example.aspect} events of ${example.urn}`;
      this.logger.error(
        `deleting timeseries events from ${where} (${deletions.length} deletions, e.g. ${what}) failed, not committing: ${(err as Error).message}`,
      );
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * The system-metadata documents the bulk request just wrote for writes whose entity document it refused would
   * make those writes look indexed: they are written again recording the refusal, which the trace reports as
   * search ERROR (contract 5.2). Before the commit, with the same re-sending; a refusal of these is logged.
   */
  private async recordRefusals(where: string, refusals: BulkItemRefusal[]): Promise<void> {
    if (refusals.length === 0) return;
    const operations = refusals.flatMap((r) => {
      const reason = refusalReason(r);
      return this.systemMetadata.refusalOperations(r.operation.changes ?? [], { message: reason.message, exceptionClass: reason.name });
    });
    const outcome = await this.bulk.write(operations, { retry: { ...this.backoff, signal: this.stopping.signal } });
    for (const refusal of outcome.rejected ?? []) this.refused(where, refusal);
  }

  /** What a refused item failed to index: one dead letter per change log it carried, naming the refusal. */
  private refusalDeadLetters(refusal: BulkItemRefusal): OutgoingRecord[] {
    const reason = refusalReason(refusal);
    return (refusal.operation.changes ?? []).map((change) =>
      this.deadLetterRecord(
        change.urn,
        {
          entityType: change.entityType,
          entityUrn: change.urn,
          aspectName: change.aspect,
          changeType: change.value === null ? 'DELETE' : 'UPSERT',
          systemMetadata: change.systemMetadata,
        },
        reason,
      ),
    );
  }

  /**
   * A document the index mapping can never take (400): retrying would hold up the partition forever, so
   * it is not retried - but never dropped silently: counted per index, and logged at error level with
   * the item (its action and, up to LOGGED_DOCUMENT_CHARS, its document) for someone to act on.
   */
  private refused(where: string, refusal: BulkItemRefusal): void {
    const { action, document } = refusal.operation;
    const target = 'index' in action ? action.index : action.update;
    this.metrics?.searchDocumentsRefused.inc({ index: target._index });
    // An entity update's document is a script: its parameters are the item, the script source is the same for all.
    const script = 'update' in action ? (document.script as { params?: unknown } | undefined) : undefined;
    const text = JSON.stringify(script?.params ?? document);
    const shown = text.length > LOGGED_DOCUMENT_CHARS ? `${text.slice(0, LOGGED_DOCUMENT_CHARS)}... (${text.length} chars)` : text;
    this.logger.error(
      `OpenSearch refused ${refusal.label} from ${where} (${refusal.status} ${refusal.error}); not indexed, not retried, counted in ` +
        `search_documents_refused_total. Item: ${JSON.stringify(action)} ${shown}`,
    );
  }
}

/** What a dead letter keeps of a change log: the object if it was JSON, else the text. */
function rawChangeLog(value: Buffer | null): unknown {
  const text = value?.toString('utf8') ?? '';
  try {
    return JSON.parse(text);
  } catch {
    return { raw: value === null ? null : text };
  }
}

/** The exception a refused bulk item stands for: in its dead letters and on its writes' system-metadata documents. */
function refusalReason(refusal: BulkItemRefusal): Error {
  return Object.assign(new Error(`OpenSearch refused ${refusal.label}: ${refusal.status} ${refusal.error}`), { name: 'SearchDocumentRefused' });
}
