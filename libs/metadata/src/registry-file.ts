/**
 * The shape of entity-registry.json and its structural check. Aspects are defined once and listed by name
 * per entity (as in DataHub's entity-registry.yml), because status, ownership, tags ... are shared.
 */

export const ASPECT_KINDS = ['versioned', 'timeseries'] as const;
export type AspectKind = (typeof ASPECT_KINDS)[number];

export type JsonSchema = Record<string, unknown>;

export interface RegistryFileAspect {
  kind: AspectKind;
  /** The aspect's fully qualified record name (`com.linkedin.dataset.DatasetProperties`), as Rest.li reads key values by it. */
  recordName?: string;
  /** JSON Schema (draft-07) for the aspect value; may `$ref` "#/definitions/<Name>". */
  schema: JsonSchema;
}

export interface RegistryFileEntity {
  name: string;
  keyAspect: string;
  /** Aspects besides the key aspect (which is always part of the entity). */
  aspects: string[];
}

export interface RegistryFile {
  /** Reported as systemMetadata.registryName / registryVersion. */
  name: string;
  version: string;
  /** Shared schema fragments, visible to every aspect schema as "#/definitions/<Name>". */
  definitions?: Record<string, JsonSchema>;
  aspects: Record<string, RegistryFileAspect>;
  entities: RegistryFileEntity[];
}

/** The registry data is wrong: the service must not start with it. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Checks the structure (not the schemas, which ajv checks when compiling) and returns it typed. */
export function checkRegistryFile(raw: unknown): RegistryFile {
  const file = asObject(raw, 'the registry');
  requireString(file.name, 'registry "name"');
  requireString(file.version, 'registry "version"');
  if (file.definitions !== undefined) asObject(file.definitions, '"definitions"');
  const aspects = asObject(file.aspects, '"aspects"');
  for (const [name, aspect] of Object.entries(aspects)) checkAspect(name, aspect);
  if (!Array.isArray(file.entities) || file.entities.length === 0) {
    throw new RegistryError('"entities" must be a non-empty array');
  }
  const indexOwners = new Map<string, string>();
  file.entities.forEach((entity, i) => {
    const name = checkEntity(entity, i, aspects);
    // Index names are lowercased, so entity names differing only in case would share an index.
    const other = indexOwners.get(name.toLowerCase());
    if (other !== undefined) {
      throw new RegistryError(`entities "${other}" and "${name}" differ only in case (or repeat)`);
    }
    indexOwners.set(name.toLowerCase(), name);
  });
  return raw as RegistryFile;
}

function checkAspect(name: string, raw: unknown): void {
  if (!IDENTIFIER.test(name)) throw new RegistryError(`aspect name "${name}" is not an identifier`);
  const aspect = asObject(raw, `aspect "${name}"`);
  if (!ASPECT_KINDS.includes(aspect.kind as AspectKind)) {
    throw new RegistryError(`aspect "${name}": unknown kind ${JSON.stringify(aspect.kind)} (expected "versioned" or "timeseries")`);
  }
  asObject(aspect.schema, `aspect "${name}": "schema"`);
  if (aspect.recordName !== undefined && (typeof aspect.recordName !== 'string' || !/^[A-Za-z_][\w.]*$/.test(aspect.recordName))) {
    throw new RegistryError(`aspect "${name}": "recordName" must be a dotted name such as com.linkedin.common.Status`);
  }
}

function checkEntity(raw: unknown, index: number, aspects: Record<string, unknown>): string {
  const entity = asObject(raw, `entities[${index}]`);
  if (typeof entity.name !== 'string' || !IDENTIFIER.test(entity.name)) {
    throw new RegistryError(`entities[${index}]: "name" must be an identifier`);
  }
  const where = `entity "${entity.name}"`;
  if (entity.keyAspect === undefined) throw new RegistryError(`${where}: missing keyAspect`);
  requireString(entity.keyAspect, `${where}: keyAspect`);
  const key = Object.hasOwn(aspects, entity.keyAspect) ? (aspects[entity.keyAspect] as RegistryFileAspect) : undefined;
  if (!key) throw new RegistryError(`${where}: keyAspect "${entity.keyAspect}" is not defined in "aspects"`);
  if (key.kind !== 'versioned') throw new RegistryError(`${where}: keyAspect "${entity.keyAspect}" must be versioned`);
  if (!Array.isArray(entity.aspects)) throw new RegistryError(`${where}: "aspects" must be an array of names`);

  // Case-insensitive uniqueness keeps resolveAspectName's fallback unambiguous.
  const seen = new Map<string, string>([[entity.keyAspect.toLowerCase(), entity.keyAspect]]);
  for (const aspect of entity.aspects) {
    requireString(aspect, `${where}: aspect names`);
    if (!Object.hasOwn(aspects, aspect)) throw new RegistryError(`${where}: aspect "${aspect}" is not defined in "aspects"`);
    const other = seen.get(aspect.toLowerCase());
    if (other !== undefined) throw new RegistryError(`${where}: aspect "${aspect}" repeats "${other}"`);
    seen.set(aspect.toLowerCase(), aspect);
  }
  return entity.name;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RegistryError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function requireString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new RegistryError(`${what} must be a non-empty string`);
}
