import { Injectable, Logger, Optional } from '@nestjs/common';
import { context, Context, Span, SpanStatusCode } from '@opentelemetry/api';
import { startConsumerSpan } from '@lib/telemetry';
import { propertiesOf } from './system-metadata';
import { withSource } from './proposal-source';
import { Settings } from '@lib/config';
import { ConsumedBatch, KafkaPublisher, OutgoingRecord } from '@lib/kafka';
import { Metrics } from '@lib/metrics';
import { EntityRegistry, exceptionToJson, FailedMetadataChangeProposal, MetadataChangeProposal } from '@lib/metadata';
import { ProposalApplier } from './proposal-applier';
import { timeseriesChangeLogOf } from './change-log';
import { ProposalRejected } from './proposal-errors';
import { parseProposal } from './proposal-parser';

/**
 * The MCE consumer's work on one batch of one partition: parse and check each proposal, apply the
 * good ones (SQL, then their change logs), and send each rejected one - with its exception - to the
 * failed-proposal topic, keyed by URN. Returns only once all of that is acknowledged by Kafka, so
 * the runner commits the batch's offset strictly after the writes.
 */
@Injectable()
export class ProposalProcessor {
  private readonly logger = new Logger(ProposalProcessor.name);

  constructor(
    private readonly applier: ProposalApplier,
    private readonly registry: EntityRegistry,
    private readonly settings: Settings,
    private readonly publisher: KafkaPublisher,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /**
   * A batch (one message, as PoisonGuard hands it) that fails every time for a reason of its own, not a
   * dependency's (a change log larger than the broker takes, say): to the failed-proposal topic with the
   * exception, as a rejected proposal is, so that its trace tells why.
   */
  async deadLetter(batch: ConsumedBatch, err: Error): Promise<void> {
    await this.publisher.send(batch.messages.map((m) => this.failedRecord(m.key?.toString('utf8') ?? '', rawProposal(m.value?.toString('utf8')), err)));
    this.metrics?.failedProposals.inc(batch.messages.length);
  }

  async process(batch: ConsumedBatch): Promise<void> {
    const good: MetadataChangeProposal[] = [];
    const failed: OutgoingRecord[] = [];
    const timeseries: MetadataChangeProposal[] = [];
    const spans = new Map<MetadataChangeProposal, { span: Span; context: Context }>();
    for (const message of batch.messages) {
      const text = message.value?.toString('utf8');
      try {
        const mcp = withSource(parseProposal(text, this.registry), batch.topic, batch.partition, message.offset);
        spans.set(
          mcp,
          startConsumerSpan('consume', {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            headers: message.headers,
            properties: propertiesOf(mcp.systemMetadata),
          }),
        );
        // Our API sends timeseries aspects straight to their change-log topic; another producer may not.
        (this.registry.isTimeseries(mcp.entityType, mcp.aspectName) ? timeseries : good).push(mcp);
      } catch (err) {
        if (!(err instanceof ProposalRejected)) throw err;
        this.logger.warn(`rejected proposal at ${batch.topic}[${batch.partition}]@${message.offset}: ${err.message}`);
        failed.push(this.failedRecord(message.key?.toString('utf8') ?? '', rawProposal(text), err));
      }
    }
    let rejected = 0;
    try {
      await this.applier.apply(
        good,
        (results) => [
          ...failed,
          ...timeseries.map((mcp) => this.timeseriesRecord(mcp)),
          ...results.flatMap((r) => {
            if (r.result.ok) return [];
            rejected++;
            this.logger.warn(`rejected ${r.mcp.aspectName} of ${r.mcp.entityUrn}: ${r.result.error.message}`);
            return [this.failedRecord(r.mcp.entityUrn, r.mcp, r.result.error)];
          }),
        ],
        (mcp) => spans.get(mcp)?.context ?? context.active(),
      );
      // Counted once Kafka acknowledged the batch's records: a batch that throws is redelivered and counted then.
      this.metrics?.proposalsProcessed.inc(batch.messages.length);
      this.metrics?.failedProposals.inc(failed.length + rejected);
    } catch (err) {
      for (const { span } of spans.values()) span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      for (const { span } of spans.values()) span.end();
    }
  }

  private timeseriesRecord(mcp: MetadataChangeProposal): OutgoingRecord {
    return { topic: this.settings.topics.mclTimeseries, key: mcp.entityUrn, value: JSON.stringify(timeseriesChangeLogOf(mcp, Date.now())) };
  }

  private failedRecord(urn: string, mcp: MetadataChangeProposal | unknown, err: Error): OutgoingRecord {
    const failed: FailedMetadataChangeProposal = {
      error: JSON.stringify(exceptionToJson(err)),
      metadataChangeProposal: mcp as MetadataChangeProposal,
    };
    return { topic: this.settings.topics.failedMcp, key: urn, value: JSON.stringify(failed) };
  }
}

/** What we can keep of a message that did not parse as a proposal: the object if it was JSON, else the text. */
function rawProposal(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return { raw: text ?? null };
  }
}
