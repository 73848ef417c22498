import { Injectable, Optional } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import { Settings } from '@lib/config';
import { tracer } from '@lib/telemetry';
import { EntityRegistry, MetadataChangeProposal, SystemMetadata, SystemMetadataKeys } from '@lib/metadata';
import { AspectRepository, AspectRow, inTransaction, SqlPool } from '@lib/sql';
import { Metrics } from '@lib/metrics';
import { sameValue } from './canonical-json';
import { checkIfVersionMatch } from './if-version-match';
import { checkCreateConditions } from './create-conditions';
import { alreadyApplied } from './proposal-source';
import { InvalidProposal, ProposalRejected } from './proposal-errors';
import { aspectVersionOf, propertiesOf, traceIdOf, withoutWriteMarkers } from './system-metadata';

export const DEFAULT_ACTOR = 'urn:li:corpuser:__anonymous';

/** What each kind of write did to the table, for the span. */
const OPERATION: Record<WriteKind, string> = { created: 'INSERT', updated: 'INSERT+UPDATE', 'no-op': 'UPDATE', duplicate: 'SELECT' };
const ROWS: Record<WriteKind, number> = { created: 1, updated: 2, 'no-op': 1, duplicate: 0 };

/**
 * created: first version; updated: a new version, the old one kept as history; no-op: same value,
 * only lastObserved and the write markers moved; duplicate: this very proposal was applied before
 * (a redelivery), nothing changed.
 */
export type WriteKind = 'created' | 'updated' | 'no-op' | 'duplicate';

export interface WriteOutcome {
  kind: WriteKind;
  value: unknown;
  systemMetadata: SystemMetadata;
  createdOn: number;
  createdBy: string;
  previous?: { value: unknown; systemMetadata: SystemMetadata | null };
}

/**
 * The one place that versions an aspect in SQL - used by the MCE consumer and by synchronous
 * writes alike. Each proposal is one transaction with the latest row locked, so concurrent writers
 * of the same aspect queue up rather than lose a version.
 */
@Injectable()
export class AspectWriter {
  private readonly database: string;

  constructor(
    private readonly sql: SqlPool,
    private readonly aspects: AspectRepository,
    private readonly registry: EntityRegistry,
    settings: Settings,
    @Optional() private readonly metrics?: Metrics,
  ) {
    this.database = settings.mysql.database;
  }

  /** One proposal in one transaction, under a span with the database semantics of what it did. */
  write(mcp: MetadataChangeProposal, now: () => number = Date.now): Promise<WriteOutcome> {
    return tracer().startActiveSpan(
      'ingestAspectToLocalDB',
      { attributes: { 'db.system': 'mysql', 'db.collection.name': 'metadata_aspect_v2', 'db.namespace': this.database } },
      async (span) => {
        try {
          const outcome = await this.writeInTransaction(mcp, now);
          span.setAttributes({
            'db.operation': OPERATION[outcome.kind],
            'db.rows_affected': ROWS[outcome.kind],
            'aspect.write': outcome.kind,
            'aspect.version': outcome.systemMetadata?.version ?? '',
          });
          return outcome;
        } catch (err) {
          // A rejected proposal is the caller's problem (412 / failed topic), not a database error.
          if (!(err instanceof ProposalRejected)) this.metrics?.dependencyError('mysql', 'write_aspect');
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  private async writeInTransaction(mcp: MetadataChangeProposal, now: () => number): Promise<WriteOutcome> {
    const value = parseValue(mcp);
    const incoming = mcp.systemMetadata;
    const actor = mcp.created?.actor ?? DEFAULT_ACTOR;
    return inTransaction(this.sql, async (conn) => {
      const latest = await this.aspects.latestForUpdate(conn, mcp.entityUrn, mcp.aspectName);
      const sameTrace = latest !== undefined && traceIdOf(incoming) !== undefined && traceIdOf(latest.systemMetadata) === traceIdOf(incoming);
      if (latest && ((sameTrace && sameValue(latest.value, value)) || alreadyApplied(incoming, latest.systemMetadata))) {
        // Redelivered after it was applied (the consumer died before committing): it is done already.
        return stored('duplicate', latest);
      }
      const actual = latest ? (aspectVersionOf(latest.systemMetadata) ?? (await this.aspects.maxVersion(conn, mcp.entityUrn, mcp.aspectName)) + 1) : -1;
      checkIfVersionMatch(mcp.headers, actual);
      await checkCreateConditions(mcp.headers, latest !== undefined, () => this.aspects.entityExists(conn, mcp.entityUrn));
      const time = now();

      if (latest && sameValue(latest.value, value)) {
        const sm: SystemMetadata = {
          ...(latest.systemMetadata as unknown as SystemMetadata),
          lastObserved: time,
          runId: incoming?.runId ?? (latest.systemMetadata?.runId as string),
          lastRunId: latest.systemMetadata?.runId as string | undefined,
          properties: { ...propertiesOf(latest.systemMetadata), ...propertiesOf(incoming), [SystemMetadataKeys.isNoOp]: 'true' },
        };
        await this.aspects.updateLatestSystemMetadata(conn, mcp.entityUrn, mcp.aspectName, sm as unknown as Record<string, unknown>);
        return { ...stored('no-op', latest), systemMetadata: sm };
      }

      let newVersion = 1;
      if (latest) {
        const history = Math.max(await this.aspects.maxVersion(conn, mcp.entityUrn, mcp.aspectName), 0) + 1;
        await this.aspects.copyLatestToHistory(conn, mcp.entityUrn, mcp.aspectName, history);
        newVersion = history + 1;
      }
      const sm: SystemMetadata = {
        ...(incoming ?? { runId: 'no-run-id-provided' }),
        lastObserved: time,
        version: String(newVersion),
        registryName: this.registry.name,
        registryVersion: this.registry.version,
        ...(latest?.systemMetadata?.runId ? { lastRunId: latest.systemMetadata.runId as string } : {}),
        properties: withoutWriteMarkers(propertiesOf(incoming)),
      };
      const row = {
        urn: mcp.entityUrn,
        aspect: mcp.aspectName,
        value,
        systemMetadata: sm as unknown as Record<string, unknown>,
        createdOn: new Date(time),
        createdBy: actor,
      };
      if (latest) await this.aspects.replaceLatest(conn, row);
      else await this.aspects.insert(conn, row, 0);
      return {
        kind: latest ? 'updated' : 'created',
        value,
        systemMetadata: sm,
        createdOn: time,
        createdBy: actor,
        ...(latest ? { previous: { value: latest.value, systemMetadata: latest.systemMetadata as unknown as SystemMetadata } } : {}),
      };
    });
  }
}

/** An outcome that leaves the stored value as it is. */
function stored(kind: WriteKind, row: AspectRow): WriteOutcome {
  return { kind, value: row.value, systemMetadata: row.systemMetadata as unknown as SystemMetadata, createdOn: row.createdOn, createdBy: row.createdBy };
}

function parseValue(mcp: MetadataChangeProposal): unknown {
  try {
    return JSON.parse(mcp.aspect.value);
  } catch {
    throw new InvalidProposal(`aspect ${mcp.aspectName} of ${mcp.entityUrn}: value is not valid JSON`);
  }
}
