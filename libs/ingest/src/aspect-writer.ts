import { Injectable, Logger, Optional } from '@nestjs/common';
import { context, Context, Span, SpanStatusCode } from '@opentelemetry/api';
import { Settings } from '@lib/config';
import { chunksBySize, errorMessage } from '@lib/common';
import { tracer } from '@lib/telemetry';
import { EntityRegistry, MetadataChangeProposal } from '@lib/metadata';
import { AspectRepository, inTransaction, SqlPool } from '@lib/sql';
import { Metrics } from '@lib/metrics';
import { ProposalRejected, UnstorableProposal } from './proposal-errors';
import { aspectKeys, entitiesReadWhole, planWrites, WriteKind, WriteOutcome, WritePlan } from './write-rules';

/** What each kind of write did to the table, for the span. */
const OPERATION: Record<WriteKind, string> = { created: 'INSERT', updated: 'INSERT+UPDATE', deleted: 'INSERT+UPDATE', 'no-op': 'UPDATE', duplicate: 'SELECT' };
const ROWS: Record<WriteKind, number> = { created: 1, updated: 2, deleted: 2, 'no-op': 1, duplicate: 0 };

/**
 * MySQL errors caused by one row's content rather than by the database: retrying cannot help, so when a
 * single proposal's own transaction fails this way, the proposal is rejected (failed topic) instead.
 */
const ROW_DATA_ERRORS = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_BAD_NULL_ERROR',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_INVALID_CHARACTER_STRING',
  'ER_NET_PACKET_TOO_LARGE',
]);

export type WriteResult = WriteOutcome | ProposalRejected;

/**
 * The one place that versions aspects in SQL, for the MCE consumer and synchronous writes alike. Proposals
 * are written in chunks (bounded in count and bytes), each chunk in ONE transaction: one locking read of the
 * latest rows, one read of their highest versions, the rules applied in memory in order (write-rules.ts),
 * then one multi-row insert (history and new aspects) and one multi-row overwrite of the changed latest rows.
 * A chunk whose transaction fails is written again one proposal per transaction, so a row the database
 * refuses fails that proposal alone; an outage still throws, and the caller retries the whole batch.
 */
@Injectable()
export class AspectWriter {
  private readonly logger = new Logger(AspectWriter.name);
  private readonly database: string;

  constructor(
    private readonly sql: SqlPool,
    private readonly aspects: AspectRepository,
    private readonly registry: EntityRegistry,
    private readonly settings: Settings,
    @Optional() private readonly metrics?: Metrics,
  ) {
    this.database = settings.mysql.database;
  }

  /**
   * Writes the proposals in order and returns what each did, in the same order. `contextOf` gives each
   * proposal's trace context, under which its `ingestAspectToLocalDB` span is recorded.
   */
  async write(
    mcps: MetadataChangeProposal[],
    contextOf: (mcp: MetadataChangeProposal) => Context = () => context.active(),
    now: () => number = Date.now,
  ): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    for (const chunk of this.chunks(mcps)) {
      const spans = chunk.map((mcp) => this.startSpan(mcp, contextOf(mcp), chunk.length));
      try {
        const outcomes = await this.writeChunk(chunk, now);
        outcomes.forEach((r, i) => endSpan(spans[i], r));
        results.push(...outcomes);
      } catch (err) {
        for (const span of spans) endSpan(span, err);
        throw err;
      }
    }
    return results;
  }

  private async writeChunk(chunk: MetadataChangeProposal[], now: () => number): Promise<WriteResult[]> {
    try {
      return (await this.inOneTransaction(chunk, now)).results;
    } catch (err) {
      if (chunk.length === 1) return [this.rejectIfRowData(err)];
      this.metrics?.dependencyError('mysql', 'write_batch');
      this.logger.warn(`batch transaction of ${chunk.length} proposals failed (${errorMessage(err)}); writing them one at a time`);
      const results: WriteResult[] = [];
      for (const mcp of chunk) results.push(...(await this.writeChunk([mcp], now)));
      return results;
    }
  }

  private inOneTransaction(chunk: MetadataChangeProposal[], now: () => number): Promise<WritePlan> {
    return inTransaction(this.sql, async (conn) => {
      const keyAspectOf = (entityType: string) => this.registry.entity(entityType).keyAspect;
      const entityAspects = await this.aspects.aspectsOfEntities(conn, entitiesReadWhole(chunk, keyAspectOf));
      const pairs = aspectKeys(chunk, keyAspectOf, entityAspects);
      const latest = await this.aspects.lockLatestMany(conn, pairs);
      const maxVersions = await this.aspects.maxVersionMany(conn, pairs);
      const plan = planWrites(
        chunk,
        { latest, maxVersions, entityAspects },
        { registry: this.registry, now, maxAspectBytes: this.settings.limits.maxAspectBytes },
      );
      await this.aspects.deleteHistoryMany(conn, plan.purged);
      await this.aspects.insertMany(conn, [...plan.history, ...plan.created]);
      await this.aspects.replaceLatestMany(conn, plan.replaced);
      return plan;
    });
  }

  /** In a one-proposal transaction, a row the database refuses is that proposal's fault; anything else is an outage. */
  private rejectIfRowData(err: unknown): ProposalRejected {
    const code = (err as { code?: string }).code ?? '';
    if (!ROW_DATA_ERRORS.has(code)) {
      this.metrics?.dependencyError('mysql', 'write_aspect');
      throw err;
    }
    return new UnstorableProposal(`the database refused the row (${code}): ${errorMessage(err)}`);
  }

  /** Consecutive runs of proposals within the configured count and bytes (a single larger proposal is a chunk of its own). */
  private chunks(mcps: MetadataChangeProposal[]): MetadataChangeProposal[][] {
    const { batchMaxMessages, batchMaxBytes } = this.settings.consumers;
    return chunksBySize(mcps, (m) => m.aspect?.value.length ?? 0, batchMaxBytes, batchMaxMessages);
  }

  private startSpan(mcp: MetadataChangeProposal, parent: Context, batchSize: number): Span {
    return tracer().startSpan(
      'ingestAspectToLocalDB',
      {
        attributes: {
          'db.system': 'mysql',
          'db.collection.name': 'metadata_aspect_v2',
          'db.namespace': this.database,
          'db.operation.batch.size': batchSize,
          'aspect.name': mcp.aspectName,
        },
      },
      parent,
    );
  }
}

function endSpan(span: Span, result: WriteResult | unknown): void {
  if (result instanceof Error) {
    span.recordException(result);
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
  } else {
    const outcome = result as WriteOutcome;
    span.setAttributes({
      'db.operation': OPERATION[outcome.kind],
      'db.rows_affected': ROWS[outcome.kind],
      'aspect.write': outcome.kind,
      'aspect.version': outcome.systemMetadata?.version ?? '',
    });
  }
  span.end();
}
