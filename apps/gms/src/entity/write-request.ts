import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { checkVersionHeaderFormat, AspectWrite, IF_VERSION_MATCH, parsePatchDocument, PatchSyntaxError, ProposalRejected } from '@lib/ingest';
import { EntityRegistry, exceedsDepth, MAX_JSON_DEPTH, SystemMetadata, tryParseUrn } from '@lib/metadata';

/** Turns a write request into validated aspect writes, or a 400 that says which field was wrong. */
export class WriteRequestReader {
  constructor(
    private readonly registry: EntityRegistry,
    private readonly maxAspects: number,
    /** Largest aspect value, as JSON bytes (MAX_ASPECT_BYTES). */
    private readonly maxAspectBytes = Number.POSITIVE_INFINITY,
  ) {}

  entityType(entityName: string): string {
    if (!this.registry.findEntity(entityName)) {
      throw new BadRequestException(`unknown entity type ${entityName}; known: ${this.registry.entityNames().join(', ')}`);
    }
    return entityName;
  }

  /** `[{urn, <aspectName>: {value, systemMetadata?, headers?}}, ...]`; with `patch`, each value is a JSON Patch document. */
  batch(entityName: string, body: unknown, patch = false): AspectWrite[] {
    const entityType = this.entityType(entityName);
    if (!Array.isArray(body)) throw new BadRequestException('body must be a JSON array of {urn, <aspectName>: {value}} objects');
    if (body.length === 0) throw new BadRequestException('body must contain at least one entity');
    const writes: AspectWrite[] = [];
    body.forEach((item, i) => {
      const at = `body[${i}]`;
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw new BadRequestException(`${at} must be an object`);
      const { urn, ...aspects } = item as Record<string, unknown>;
      this.urn(entityType, urn, `${at}.urn`);
      const names = Object.keys(aspects);
      if (names.length === 0) throw new BadRequestException(`${at} has no aspects`);
      for (const name of names) writes.push(this.aspect(entityType, urn as string, name, aspects[name], `${at}.${name}`, patch));
    });
    if (writes.length > this.maxAspects) throw new BadRequestException(`too many aspects in one request: ${writes.length} (at most ${this.maxAspects})`);
    return writes;
  }

  /** The single-aspect route: body `{value, systemMetadata?, headers?}`; `If-Version-Match` may also come as an HTTP header. */
  single(entityName: string, urn: string, aspectName: string, body: unknown, httpHeaders: Record<string, string>): AspectWrite {
    const entityType = this.entityType(entityName);
    this.urn(entityType, urn, 'urn');
    const write = this.aspect(entityType, urn, aspectName, body, 'body');
    return { ...write, headers: { ...httpHeaders, ...(write.headers ?? {}) } };
  }

  /** The single-aspect PATCH route: the body is the patch document itself (`[ops]` or `{patch, arrayPrimaryKeys?}`). */
  singlePatch(entityName: string, urn: string, aspectName: string, body: unknown, httpHeaders: Record<string, string>): AspectWrite {
    const entityType = this.entityType(entityName);
    this.urn(entityType, urn, 'urn');
    return { ...this.aspect(entityType, urn, aspectName, { value: body }, 'body', true, 'body'), headers: httpHeaders };
  }

  /** A DELETE route's write: the aspect named, or - without one, or when it is the key aspect - the whole entity. */
  deletion(entityName: string, urn: string, aspectName: string | undefined, purge: boolean): AspectWrite {
    const entityType = this.entityType(entityName);
    this.urn(entityType, urn, 'urn');
    const aspect = aspectName === undefined ? this.registry.entity(entityType).keyAspect : this.aspectName(entityType, aspectName, 'aspectName');
    return { entityType, urn, aspectName: aspect, value: null, delete: { purge } };
  }

  isTimeseries(entityType: string, aspectName: string): boolean {
    return this.registry.isTimeseries(entityType, aspectName);
  }

  urn(entityType: string, urn: unknown, at: string): void {
    if (typeof urn !== 'string' || urn === '') throw new BadRequestException(`${at} must be a non-empty string`);
    const parsed = tryParseUrn(urn);
    if (!parsed.ok) throw new BadRequestException(`${at}: ${parsed.error.message}`);
    if (parsed.value.entityType !== entityType) throw new BadRequestException(`${at}: ${urn} is a ${parsed.value.entityType} URN, not a ${entityType} URN`);
  }

  aspectName(entityType: string, name: string, at: string): string {
    if (!this.registry.findAspect(entityType, name)) {
      throw new BadRequestException(`${at}: unknown aspect ${name} of entity type ${entityType}; known: ${this.registry.aspectNames(entityType).join(', ')}`);
    }
    return name;
  }

  /** `valueAt` names the value in messages (`body[0].status.value`; the single PATCH route's body is the value itself). */
  private aspect(entityType: string, urn: string, name: string, entry: unknown, at: string, patch = false, valueAt = `${at}.value`): AspectWrite {
    this.aspectName(entityType, name, at);
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      throw new BadRequestException(`${at} must be an object {value, systemMetadata?, headers?}`);
    const { value, systemMetadata, headers, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new BadRequestException(`${at}: unexpected field ${unknown[0]} (expected value, systemMetadata, headers)`);
    if (value === undefined) throw new BadRequestException(`${valueAt} is required`);
    if (exceedsDepth(entry)) throw new BadRequestException(`${at} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    const valueJson = JSON.stringify(value);
    const bytes = Buffer.byteLength(valueJson);
    if (bytes > this.maxAspectBytes)
      throw new PayloadTooLargeException(`${valueAt} is too large: ${bytes} bytes as JSON, at most ${this.maxAspectBytes} (MAX_ASPECT_BYTES)`);
    if (patch) this.patchDocument(entityType, name, value, valueAt);
    else {
      const result = this.registry.validateAspect(entityType, name, value);
      if (!result.ok) throw new BadRequestException(`${valueAt}: ${result.error.join('; ')}`);
    }
    return {
      entityType,
      urn,
      aspectName: name,
      value,
      valueJson,
      ...(systemMetadata !== undefined ? { systemMetadata: this.systemMetadata(systemMetadata, `${at}.systemMetadata`) } : {}),
      ...(headers !== undefined ? { headers: this.headers(headers, `${at}.headers`) } : {}),
      ...(patch ? { patch } : {}),
    };
  }

  /** A patch is checked as a patch here; the value it makes is checked against the schema when it is applied. */
  private patchDocument(entityType: string, name: string, doc: unknown, at: string): void {
    if (this.registry.isTimeseries(entityType, name)) throw new BadRequestException(`${at}: ${name} is a timeseries aspect and cannot be patched`);
    try {
      parsePatchDocument(doc);
    } catch (err) {
      if (err instanceof PatchSyntaxError) throw new BadRequestException(`${at}: invalid JSON Patch: ${err.message}`);
      throw err;
    }
  }

  private systemMetadata(sm: unknown, at: string): Partial<SystemMetadata> {
    if (sm === null) return {};
    if (typeof sm !== 'object' || Array.isArray(sm)) throw new BadRequestException(`${at} must be an object`);
    const { runId, properties } = sm as Record<string, unknown>;
    if (runId !== undefined && (typeof runId !== 'string' || runId.length > 255))
      throw new BadRequestException(`${at}.runId must be a string of at most 255 characters`);
    if (properties !== undefined) {
      if (!properties || typeof properties !== 'object' || Array.isArray(properties))
        throw new BadRequestException(`${at}.properties must be an object of strings`);
      for (const [k, v] of Object.entries(properties)) if (typeof v !== 'string') throw new BadRequestException(`${at}.properties.${k} must be a string`);
    }
    return { ...(runId !== undefined ? { runId } : {}), ...(properties !== undefined ? { properties: properties as Record<string, string> } : {}) };
  }

  private headers(headers: unknown, at: string): Record<string, string> {
    if (!headers || typeof headers !== 'object' || Array.isArray(headers)) throw new BadRequestException(`${at} must be an object of strings`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v !== 'string' && typeof v !== 'number') throw new BadRequestException(`${at}.${k} must be a string`);
      out[k] = String(v);
      if (k.toLowerCase() === IF_VERSION_MATCH.toLowerCase()) this.versionHeader(out[k], `${at}.${k}`);
    }
    return out;
  }

  /** The proposal headers of a single-aspect route's `If-Version-Match` request header (checked; none when absent). */
  conditionalHeaders(ifVersionMatch: string | undefined): Record<string, string> {
    if (ifVersionMatch === undefined) return {};
    this.versionHeader(ifVersionMatch, IF_VERSION_MATCH);
    return { [IF_VERSION_MATCH]: ifVersionMatch.trim() };
  }

  versionHeader(value: string, at: string): void {
    try {
      checkVersionHeaderFormat(value);
    } catch (err) {
      if (err instanceof ProposalRejected) throw new BadRequestException(`${at}: ${err.message}`);
      throw err;
    }
  }
}
