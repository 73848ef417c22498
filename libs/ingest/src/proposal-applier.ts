import { Injectable } from '@nestjs/common';
import { context, Context, SpanKind } from '@opentelemetry/api';
import { err, ok, Result } from '@lib/common';
import { Settings } from '@lib/config';
import { KafkaPublisher, OutgoingRecord } from '@lib/kafka';
import { MetadataChangeProposal } from '@lib/metadata';
import { tracer } from '@lib/telemetry';
import { AspectWriter } from './aspect-writer';
import { WriteOutcome } from './write-rules';
import { changeLogOf } from './change-log';
import { aspectRecord, stampTelemetry } from './message-telemetry';
import { ProposalRejected } from './proposal-errors';

/** One proposal and what became of it: written (its outcome), or rejected as it can never succeed as sent. */
export interface Applied {
  mcp: MetadataChangeProposal;
  result: Result<WriteOutcome, ProposalRejected>;
}

/**
 * Applies proposals to SQL and emits their change logs: the shared core of the MCE consumer and of
 * synchronous writes. Proposals are written in order, in batch transactions (AspectWriter).
 * An outage (SQL or Kafka) throws, so the caller retries the whole batch - which is safe, because a
 * proposal applied before is recognised as a duplicate and only its change log is emitted again.
 */
@Injectable()
export class ProposalApplier {
  constructor(
    private readonly writer: AspectWriter,
    private readonly publisher: KafkaPublisher,
    private readonly settings: Settings,
  ) {}

  /**
   * Writes the proposals and sends their change logs, plus any `extra` records, in one batch.
   * `contextOf` gives each proposal's trace context (the consumer's span of its message), so its
   * SQL and produce spans join the trace of the request that wrote it.
   */
  async apply(
    mcps: MetadataChangeProposal[],
    extra: (results: Applied[]) => OutgoingRecord[] = () => [],
    contextOf: (mcp: MetadataChangeProposal) => Context = () => context.active(),
  ): Promise<Applied[]> {
    const results = await this.writeAll(mcps, contextOf);
    await this.publisher.send([...this.changeLogRecords(results, contextOf), ...extra(results)]);
    return results;
  }

  /**
   * A no-op changed nothing to index, so it has no change log; a duplicate re-sends its own (it may have been
   * lost). The writes a proposal made besides its own (a key aspect, an entity delete's other aspects) log too.
   */
  private changeLogRecords(results: Applied[], contextOf: (mcp: MetadataChangeProposal) => Context): OutgoingRecord[] {
    return results.flatMap((r) => {
      if (!r.result.ok) return [];
      const outcome = r.result.value;
      const writes = [{ mcp: r.mcp, outcome }, ...(outcome.also ?? [])].filter((w) => w.outcome.kind !== 'no-op');
      return context.with(contextOf(r.mcp), () => writes.map((w) => this.changeLogRecord(w.mcp, w.outcome)));
    });
  }

  private changeLogRecord(mcp: MetadataChangeProposal, outcome: WriteOutcome): OutgoingRecord {
    const topic = this.settings.topics.mclVersioned;
    const span = tracer().startSpan('produceMetadataChangeLog', {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation': 'publish' },
    });
    try {
      const systemMetadata = stampTelemetry(outcome.systemMetadata, span, Date.now());
      return aspectRecord(topic, mcp, changeLogOf(mcp, { ...outcome, systemMetadata }), systemMetadata, span);
    } finally {
      span.end();
    }
  }

  private async writeAll(mcps: MetadataChangeProposal[], contextOf: (mcp: MetadataChangeProposal) => Context): Promise<Applied[]> {
    const results = await this.writer.write(mcps, contextOf);
    return results.map((r, i) => ({ mcp: mcps[i], result: r instanceof ProposalRejected ? err(r) : ok(r) }));
  }
}
