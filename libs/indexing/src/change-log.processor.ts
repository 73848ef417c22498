import { Injectable, Logger } from '@nestjs/common';
import { ConsumedBatch } from '@lib/kafka';
import { EntityRegistry } from '@lib/metadata';
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
  ) {}

  async process(batch: ConsumedBatch): Promise<void> {
    const versioned: AspectChange[] = [];
    const events: AspectChange[] = [];
    for (const message of batch.messages) {
      const parsed = parseChangeLog(message.value, this.registry);
      if (!parsed.ok) {
        this.logger.error(`skipping unprocessable change log ${batch.topic}[${batch.partition}]@${message.offset}: ${parsed.reason}`);
        continue;
      }
      (parsed.timeseries ? events : versioned).push(parsed.change);
    }
    const operations = [
      ...this.entities.upsertOperations(versioned),
      ...this.systemMetadata.upsertOperations(versioned),
      ...this.timeseries.indexOperations(events),
    ];
    if (operations.length === 0) return;
    const first = batch.messages[0].offset;
    const last = batch.messages[batch.messages.length - 1].offset;
    try {
      // The trace endpoint finds timeseries documents by search, which sees only refreshed documents:
      // waiting for the refresh before committing means a committed event is always findable.
      const outcome = await this.bulk.write(operations, { waitForSearch: events.length > 0 });
      this.logger.debug(`${batch.topic}[${batch.partition}]@${first}..${last}: ${outcome.written} written, ${outcome.unchanged} unchanged`);
    } catch (err) {
      this.logger.error(`indexing ${batch.topic}[${batch.partition}]@${first}..${last} failed, not committing: ${(err as Error).message}`);
      throw err;
    }
  }
}
