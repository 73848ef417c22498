import { Injectable, NotFoundException } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaPublisher } from '@lib/kafka';
import { AspectWrite, DEFAULT_ACTOR, ProposalApplier, ProposalPublisher, ProposalRejected } from '@lib/ingest';
import { EntityRegistry, MetadataChangeProposal, SystemMetadata } from '@lib/metadata';
import { AspectRepository, AspectRow } from '@lib/sql';
import { AspectTraceResult, TraceItem, WriteStatus, WriteWaiter } from '@lib/trace';
import { unavailableOnOutage } from './outage';
import { Backpressure } from './backpressure';

export interface AspectEnvelope {
  value: unknown;
  systemMetadata?: SystemMetadata;
}
export type EntityEnvelope = { urn: string } & Record<string, AspectEnvelope | string>;

export interface AspectVersion {
  version: number;
  value: unknown;
  /** This version is a delete: the aspect had no value from then on (`value` is null). */
  deleted?: true;
  previousValue?: unknown;
  systemMetadata: Record<string, unknown> | null;
  createdOn: string;
  createdBy: string;
}

/** Writes (async through Kafka, or sync through the shared applier) and reads of entity aspects. */
@Injectable()
export class EntityService {
  constructor(
    private readonly registry: EntityRegistry,
    private readonly proposals: ProposalPublisher,
    private readonly applier: ProposalApplier,
    private readonly kafka: KafkaPublisher,
    private readonly aspects: AspectRepository,
    private readonly waiter: WriteWaiter,
    private readonly settings: Settings,
    private readonly backpressure: Backpressure,
  ) {}

  /**
   * Async (through Kafka; the route answers 202) or sync (stored before the answer; 200), as the route's `async` flag
   * says. An async write is refused (WritesThrottled, a 429) while the MCE consumer is past a backpressure bound.
   */
  async write(writes: AspectWrite[], async: boolean, withSystemMetadata: boolean, actor = DEFAULT_ACTOR): Promise<EntityEnvelope[]> {
    if (!async) return this.writeSync(writes, withSystemMetadata, actor);
    this.backpressure.check();
    return this.writeAsync(writes, withSystemMetadata, actor);
  }

  private async writeAsync(writes: AspectWrite[], withSystemMetadata: boolean, actor = DEFAULT_ACTOR): Promise<EntityEnvelope[]> {
    const sent = await unavailableOnOutage(() => this.proposals.publish(this.proposals.proposalsOf(writes, actor)));
    return envelopes(
      sent.map((mcp) => ({ urn: mcp.entityUrn, aspect: mcp.aspectName, value: JSON.parse(mcp.aspect?.value ?? 'null'), systemMetadata: mcp.systemMetadata })),
      withSystemMetadata,
    );
  }

  /** Writes SQL and emits the change logs before answering, so the write is readable at once and indexed by the same consumer. */
  async writeSync(writes: AspectWrite[], withSystemMetadata: boolean, actor = DEFAULT_ACTOR): Promise<EntityEnvelope[]> {
    const mcps = this.proposals.proposalsOf(writes, actor);
    const isTs = (m: MetadataChangeProposal) => this.registry.isTimeseries(m.entityType, m.aspectName);
    const { timeseries, applied } = await unavailableOnOutage(async () => {
      await this.kafka.ready();
      const timeseries = await this.proposals.publish(mcps.filter(isTs));
      return { timeseries, applied: await this.applier.apply(mcps.filter((m) => !isTs(m))) };
    });
    // A proposal that can never succeed as sent: the answer is its status (DomainErrorsFilter).
    for (const { result } of applied) if (!result.ok) throw result.error;
    const written = applied.flatMap(({ mcp, result }) =>
      result.ok ? [{ urn: mcp.entityUrn, aspect: mcp.aspectName, value: result.value.value, systemMetadata: result.value.systemMetadata }] : [],
    );
    const ts = timeseries.map((m) => ({
      urn: m.entityUrn,
      aspect: m.aspectName,
      value: JSON.parse(m.aspect?.value ?? 'null'),
      systemMetadata: m.systemMetadata,
    }));
    return envelopes([...written, ...ts], withSystemMetadata);
  }

  /**
   * Deletes always go through Kafka, keyed by URN like every async write, so a delete is applied after
   * every write of its entity queued before it and none of those can bring the data back. `async=false`
   * then waits, by tracing the delete, until the consumer applied it (SQL; the index too for a timeseries
   * aspect, which only lives there, and for an entity delete, which removes the entity's events there): `settled` is false when WRITE_WAIT_MAX_MS passed first. Only an async delete is
   * subject to backpressure, as for the other writes.
   */
  async delete(
    writes: AspectWrite[],
    async: boolean,
    withSystemMetadata: boolean,
    actor = DEFAULT_ACTOR,
  ): Promise<{ settled: boolean; entities: EntityEnvelope[] }> {
    if (async) this.backpressure.check();
    const sent = await unavailableOnOutage(() => this.proposals.publish(this.proposals.proposalsOf(writes, actor)));
    const entities = envelopes(
      sent.map((m) => ({ urn: m.entityUrn, aspect: m.aspectName, value: null, systemMetadata: m.systemMetadata })),
      withSystemMetadata,
    );
    if (async) return { settled: false, entities };
    const items: TraceItem[] = sent.map((m) => ({
      urn: m.entityUrn,
      entityType: m.entityType,
      aspect: m.aspectName,
      isTimeseries: this.registry.isTimeseries(m.entityType, m.aspectName),
    }));
    const traceId = sent[0]?.systemMetadata?.properties?.telemetryTraceId ?? '';
    // Timeseries events live only in the index, and an entity delete (of its key aspect) removes the entity's events
    // there: those are applied once indexed, the others once in SQL.
    const indexedOnly = (i: TraceItem) => i.isTimeseries || this.registry.entity(i.entityType).keyAspect === i.aspect;
    const waitFor = items.some(indexedOnly) ? 'both' : 'primary';
    const waited = await this.waiter.wait(traceId, items, waitFor, this.settings.trace.writeWaitMaxMs);
    const failed = Object.values(waited.trace).flatMap((byAspect) => Object.values(byAspect).filter((a) => !a.success));
    if (failed.length) throw rejectionOf(failed[0]);
    return { settled: waited.settled, entities };
  }

  /** Every aspect of the entity that holds a value; 404 when none does (never written, or deleted). */
  async entity(urn: string, withSystemMetadata: boolean): Promise<EntityEnvelope> {
    const rows = (await unavailableOnOutage(() => this.aspects.latestOfEntity(urn))).filter((r) => r.value !== null);
    if (rows.length === 0) throw new NotFoundException(`entity ${urn} not found`);
    return envelopes(rows.map(rowItem), withSystemMetadata)[0];
  }

  /** The aspect's latest value; 404 when it has none (never written, or deleted). */
  async aspect(urn: string, aspectName: string, withSystemMetadata: boolean): Promise<AspectEnvelope> {
    const [row] = await unavailableOnOutage(() => this.aspects.latestMany([{ urn, aspect: aspectName }]));
    if (!row || row.value === null) throw new NotFoundException(`aspect ${aspectName} of ${urn} not found`);
    return envelope(rowItem(row), withSystemMetadata);
  }

  /** The write audit: every stored version, oldest first, each with who wrote it, when, and the value it replaced. */
  async versions(urn: string, aspectName: string, limit: number): Promise<AspectVersion[]> {
    const rows = await unavailableOnOutage(() => this.aspects.versions(urn, aspectName, limit));
    if (rows.length === 0) throw new NotFoundException(`aspect ${aspectName} of ${urn} not found`);
    return rows.map((r, i) => ({
      version: r.version === 0 ? Number(r.systemMetadata?.version ?? rows.length) : r.version,
      value: r.value,
      ...(r.value === null ? { deleted: true as const } : {}),
      ...(i > 0 ? { previousValue: rows[i - 1].value } : {}),
      systemMetadata: r.systemMetadata,
      createdOn: new Date(r.createdOn).toISOString(),
      createdBy: r.createdBy,
    }));
  }
}

/** A failed delete as the trace tells it: 412 for a failed If-Version-Match, else 409, with the consumer's reason. */
function rejectionOf(failed: AspectTraceResult): ProposalRejected {
  const status = failed.primaryStorage.writeStatus === WriteStatus.ERROR ? failed.primaryStorage : failed.searchStorage;
  const exception = status.writeExceptions?.[0];
  const message = exception?.message ?? status.writeMessage ?? 'the delete failed';
  return new ProposalRejected(message, exception?.exceptionClass === 'AspectVersionMismatch' ? 412 : 409);
}

interface Item {
  urn: string;
  aspect: string;
  value: unknown;
  systemMetadata?: SystemMetadata;
}

const rowItem = (r: AspectRow): Item => ({ urn: r.urn, aspect: r.aspect, value: r.value, systemMetadata: r.systemMetadata as unknown as SystemMetadata });

function envelope(item: Item, withSystemMetadata: boolean): AspectEnvelope {
  return { value: item.value, ...(withSystemMetadata && item.systemMetadata ? { systemMetadata: item.systemMetadata } : {}) };
}

/** `[{urn, <aspect>: {value, systemMetadata?}}]`, one object per URN in first-seen order. */
function envelopes(items: Item[], withSystemMetadata: boolean): EntityEnvelope[] {
  const byUrn = new Map<string, EntityEnvelope>();
  for (const item of items) {
    const entity = byUrn.get(item.urn) ?? ({ urn: item.urn } as EntityEnvelope);
    entity[item.aspect] = envelope(item, withSystemMetadata);
    byUrn.set(item.urn, entity);
  }
  return [...byUrn.values()];
}
