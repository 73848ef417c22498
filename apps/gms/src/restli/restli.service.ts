import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { aspectVersionOf } from '@lib/ingest';
import { AspectSpec, EntityRegistry, tryParseUrn } from '@lib/metadata';
import { AspectRepository, AspectRow } from '@lib/sql';
import { unavailableOnOutage } from '../entity/outage';

export interface AuditStamp {
  time: number;
  actor: string;
}

/** GET /aspects: one version of one aspect, under its record's full name (what the SDK's get_aspect reads). */
export interface VersionedAspectResponse {
  urn: string;
  aspect: Record<string, unknown>;
  version: number;
  created: AuditStamp;
  systemMetadata?: Record<string, unknown>;
}

/** One aspect of GET /entitiesV2. `created` and `systemMetadata` are absent for a key aspect derived from the URN. */
export interface EnvelopedAspect {
  name: string;
  type: 'VERSIONED';
  version: number;
  value: unknown;
  created?: AuditStamp;
  systemMetadata?: Record<string, unknown>;
}

export interface EntityResponse {
  urn: string;
  aspects: Record<string, EnvelopedAspect>;
}

const LIST = /^List\((.*)\)$/s;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The rest.li `aspects` parameter, `List(a,b)` (protocol 2.0); absent: undefined (every aspect). `List()` asks for
 * none (the key aspect still comes). Anything else, or an entry that is not a name, is a 400.
 */
export function parseAspectList(param: string | undefined): string[] | undefined {
  if (param === undefined) return undefined;
  const m = LIST.exec(param);
  if (!m) throw new BadRequestException(`query parameter aspects must be List(<aspect>,...), not ${JSON.stringify(param)}`);
  if (m[1] === '') return [];
  const names = m[1].split(',');
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) throw new BadRequestException(`query parameter aspects: ${JSON.stringify(bad)} is not an aspect name`);
  return [...new Set(names)];
}

/** The number of a latest row: its system metadata's version, else one more than the highest history row. */
export function latestNumber(latest: AspectRow, maxVersion: number): number {
  return aspectVersionOf(latest.systemMetadata) ?? Math.max(maxVersion, 0) + 1;
}

const created = (row: AspectRow): AuditStamp => ({ time: row.createdOn, actor: row.createdBy });
const withSystemMetadata = (row: AspectRow) => (row.systemMetadata ? { systemMetadata: row.systemMetadata } : {});

/** A stored value as GET /aspects answers it. */
export function versionedAspectOf(urn: string, spec: AspectSpec, row: AspectRow, version: number): VersionedAspectResponse {
  return { urn, aspect: { [spec.recordName]: row.value }, version, created: created(row), ...withSystemMetadata(row) };
}

/**
 * An entity as GET /entitiesV2 answers it, from the latest rows of its aspects: the live versioned aspects the
 * registry knows (only `requested` ones, when given), key first, then in registry order. The key aspect is always
 * there: derived from the URN when it is not stored; and when it is a tombstone (the entity is deleted) it is the
 * only aspect, as if nothing were stored.
 */
export function entityOf(
  urn: string,
  aspects: readonly AspectSpec[],
  keyAspect: string,
  derivedKey: unknown,
  rows: AspectRow[],
  requested?: string[],
): EntityResponse {
  const latest = new Map(rows.filter((r) => r.version === 0).map((r) => [r.aspect, r]));
  const deleted = latest.get(keyAspect)?.value === null;
  const out: Record<string, EnvelopedAspect> = {};
  for (const spec of aspects) {
    if (spec.kind === 'timeseries' || (spec.name !== keyAspect && requested && !requested.includes(spec.name))) continue;
    const row = deleted ? undefined : latest.get(spec.name);
    if (row && row.value !== null) {
      out[spec.name] = {
        name: spec.name,
        type: 'VERSIONED',
        version: latestNumber(row, 0),
        value: row.value,
        created: created(row),
        ...withSystemMetadata(row),
      };
    } else if (spec.name === keyAspect) {
      out[spec.name] = { name: spec.name, type: 'VERSIONED', version: 0, value: derivedKey };
    }
  }
  return { urn, aspects: out };
}

/** The reads DataHub's Python SDK makes through rest.li: one aspect version (GET /aspects), one entity (GET /entitiesV2). */
@Injectable()
export class RestliService {
  constructor(
    private readonly registry: EntityRegistry,
    private readonly aspects: AspectRepository,
  ) {}

  /** Version 0 is the latest; n > 0 the n-th stored version (1 the oldest). Not stored, or a tombstone: 404. */
  async aspect(urn: string, aspectName: string, version: number): Promise<VersionedAspectResponse> {
    const entityType = this.entityType(urn);
    const spec = this.registry.findAspect(entityType, aspectName);
    if (!spec) {
      throw new BadRequestException(`unknown aspect ${aspectName} of entity type ${entityType}; known: ${this.registry.aspectNames(entityType).join(', ')}`);
    }
    if (spec.kind === 'timeseries') throw new BadRequestException(`${aspectName} is a timeseries aspect: it has no stored versions to read here`);
    const { rows, maxVersion } = await unavailableOnOutage(() => this.aspects.latestAndVersion(urn, aspectName, version));
    const latest = rows.find((r) => r.version === 0);
    const found =
      version === 0 ? latest : (rows.find((r) => r.version === version) ?? (latest && latestNumber(latest, maxVersion) === version ? latest : undefined));
    if (!found || found.value === null) {
      throw new NotFoundException(`aspect ${aspectName} of ${urn}${version ? ` version ${version}` : ''} not found${found ? ' (deleted)' : ''}`);
    }
    return versionedAspectOf(urn, spec, found, version === 0 ? latestNumber(found, maxVersion) : version);
  }

  /** Every live versioned aspect (or those of `aspectList`, `List(a,b)`), and always the key aspect: never a 404. */
  async entity(urn: string, aspectList?: string): Promise<EntityResponse> {
    const entityType = this.entityType(urn);
    const requested = parseAspectList(aspectList);
    const unknown = requested?.find((a) => !this.registry.findAspect(entityType, a));
    if (unknown !== undefined) throw new BadRequestException(`query parameter aspects: unknown aspect ${unknown} of entity type ${entityType}`);
    const spec = this.registry.entity(entityType);
    const rows = await unavailableOnOutage(() => this.aspects.latestOfEntity(urn));
    return entityOf(urn, spec.aspects, spec.keyAspect, this.registry.keyAspectValue(urn), rows, requested);
  }

  /** The entity type of a URN the registry knows; a 400 saying what is wrong otherwise. */
  private entityType(urn: string): string {
    const parsed = tryParseUrn(urn);
    if (!parsed.ok) throw new BadRequestException(`urn: ${parsed.error.message}`);
    const { entityType } = parsed.value;
    if (!this.registry.findEntity(entityType)) {
      throw new BadRequestException(`urn: unknown entity type ${entityType}; known: ${this.registry.entityNames().join(', ')}`);
    }
    return entityType;
  }
}
