import { err } from '@lib/common';
import { AspectValidator, ValidationResult, compileAspectValidator, createAjv } from './aspect-validator';
import { entityIndexName, timeseriesIndexName } from './index-names';
import { AspectKind, JsonSchema, checkRegistryFile } from './registry-file';
import { parseUrn } from './urn';

export interface AspectSpec {
  readonly name: string;
  readonly kind: AspectKind;
  /** Fully qualified record name (the aspect name when the registry gives none). */
  readonly recordName: string;
  readonly schema: JsonSchema;
  /** The timeseries index of this aspect for this entity; absent for versioned aspects. */
  readonly indexName?: string;
}

export interface EntitySpec {
  readonly name: string;
  readonly keyAspect: string;
  /** The entity's search index, e.g. `datasetindex_v2`. */
  readonly indexName: string;
  /** Key aspect first, then the others in registry order. */
  readonly aspects: readonly AspectSpec[];
}

/** Asked for an entity or aspect the registry does not define. */
export class RegistryLookupError extends Error {
  override readonly name = 'RegistryLookupError';
}

interface EntityEntry {
  spec: EntitySpec;
  byName: Map<string, AspectSpec>;
  byLowerName: Map<string, AspectSpec>;
}

/** The entity types and aspects this service accepts, with one compiled validator per aspect. */
export class EntityRegistry {
  private readonly entities = new Map<string, EntityEntry>();
  private readonly validators = new Map<string, AspectValidator>();
  private readonly definitions: Record<string, JsonSchema>;

  /** Reported in systemMetadata.registryName / registryVersion. */
  readonly name: string;
  readonly version: string;

  /** Checks the structure and compiles every schema; throws RegistryError on any problem. */
  constructor(definition: unknown) {
    const file = checkRegistryFile(definition);
    this.name = file.name;
    this.version = file.version;
    this.definitions = file.definitions ?? {};
    const ajv = createAjv();
    for (const [name, aspect] of Object.entries(file.aspects)) {
      this.validators.set(name, compileAspectValidator(ajv, name, aspect.schema, file.definitions));
    }
    for (const entity of file.entities) {
      const aspects = [entity.keyAspect, ...entity.aspects].map((aspectName): AspectSpec => {
        const { kind, schema, recordName } = file.aspects[aspectName];
        const indexName = kind === 'timeseries' ? timeseriesIndexName(entity.name, aspectName) : undefined;
        return { name: aspectName, kind, recordName: recordName ?? aspectName, schema, ...(indexName ? { indexName } : {}) };
      });
      const spec: EntitySpec = {
        name: entity.name,
        keyAspect: entity.keyAspect,
        indexName: entityIndexName(entity.name),
        aspects,
      };
      this.entities.set(entity.name, {
        spec,
        byName: new Map(aspects.map((a) => [a.name, a])),
        byLowerName: new Map(aspects.map((a) => [a.name.toLowerCase(), a])),
      });
    }
  }

  entityNames(): string[] {
    return [...this.entities.keys()];
  }

  /** Exact, case-sensitive name (URNs carry `corpuser`, `dataJob` ... exactly). */
  findEntity(name: string): EntitySpec | undefined {
    return this.entities.get(name)?.spec;
  }

  entity(name: string): EntitySpec {
    return this.entry(name).spec;
  }

  findAspect(entityName: string, aspectName: string): AspectSpec | undefined {
    return this.entities.get(entityName)?.byName.get(aspectName);
  }

  aspect(entityName: string, aspectName: string): AspectSpec {
    const aspect = this.entry(entityName).byName.get(aspectName);
    if (!aspect) throw new RegistryLookupError(`entity "${entityName}" has no aspect "${aspectName}"`);
    return aspect;
  }

  /**
   * The registry's spelling of an aspect name: exact match first, then case-insensitive (the trace
   * endpoint accepts `DatasetProperties`); undefined for an unknown entity or aspect.
   */
  resolveAspectName(entityName: string, aspectName: string): string | undefined {
    const entry = this.entities.get(entityName);
    if (!entry) return undefined;
    return (entry.byName.get(aspectName) ?? entry.byLowerName.get(aspectName.toLowerCase()))?.name;
  }

  aspectNames(entityName: string): string[] {
    return this.entry(entityName).spec.aspects.map((a) => a.name);
  }

  /** False for unknown aspects too: validateAspect is what rejects them. */
  isTimeseries(entityName: string, aspectName: string): boolean {
    return this.findAspect(entityName, aspectName)?.kind === 'timeseries';
  }

  /** Validates an aspect value (the parsed JSON, not the text); names are matched exactly. */
  validateAspect(entityName: string, aspectName: string, value: unknown): ValidationResult {
    if (!this.entities.has(entityName)) return err([`unknown entity type "${entityName}"`]);
    if (!this.findAspect(entityName, aspectName)) {
      return err([`entity "${entityName}" has no aspect "${aspectName}"`]);
    }
    // Every aspect in an entity has a validator: the constructor compiled all of them.
    return this.validators.get(aspectName)!(value);
  }

  /**
   * The key aspect's value of a URN, as DataHub derives it: the URN's key parts, in order, under the key
   * aspect's fields in schema order (`urn:li:dataset:(p,n,o)` -> `{platform: p, name: n, origin: o}`).
   * Throws RegistryLookupError for an unknown entity type and UrnError for an invalid URN.
   */
  keyAspectValue(urn: string): Record<string, string> {
    const { entityType, parts } = parseUrn(urn);
    const spec = this.entity(entityType);
    const schema = this.resolve(this.aspect(entityType, spec.keyAspect).schema);
    const fields = Object.keys((schema.properties ?? {}) as Record<string, unknown>);
    const value: Record<string, string> = {};
    // A URN with more parts than the key has fields keeps the rest in the last field, as written.
    fields.forEach((field, i) => {
      if (i < parts.length) value[field] = i === fields.length - 1 ? parts.slice(i).join(',') : parts[i];
    });
    return value;
  }

  /**
   * What a patch starts from when the aspect is not stored yet: `{}` with every required array as `[]` and every
   * required audit stamp (`{time, actor}`) as `stamp`. Other required fields are the patch's to set; a patch that
   * does not set them leaves a value that fails validation.
   */
  emptyAspectValue(entityName: string, aspectName: string, stamp: { time: number; actor: string }): Record<string, unknown> {
    const schema = this.resolve(this.aspect(entityName, aspectName).schema);
    const out: Record<string, unknown> = {};
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required ?? []) as string[]) {
      const field = this.resolve(properties[name] ?? {});
      const required = (field.required ?? []) as string[];
      if (field.type === 'array') out[name] = [];
      else if (field.type === 'object' && required.length === 2 && required.includes('time') && required.includes('actor')) out[name] = { ...stamp };
    }
    return out;
  }

  /** Follows `#/definitions/<Name>` references (the registry's shared definitions). */
  private resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let i = 0; i < 10 && typeof s.$ref === 'string' && s.$ref.startsWith('#/definitions/'); i++)
      s = this.definitions[s.$ref.slice('#/definitions/'.length)] ?? {};
    return s;
  }

  private entry(entityName: string): EntityEntry {
    const entry = this.entities.get(entityName);
    if (!entry) throw new RegistryLookupError(`unknown entity type "${entityName}"`);
    return entry;
  }
}
