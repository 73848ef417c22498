import { EntityRegistry } from './entity-registry';
import { RegistryError } from './registry-file';

/** The smallest registry that loads; each test breaks one thing in a fresh copy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry definition built to be broken in every way
function minimal(): any {
  return {
    name: 'test',
    version: '1',
    definitions: { Id: { type: 'string' } },
    aspects: {
      thingKey: { kind: 'versioned', schema: { type: 'object', required: ['id'], properties: { id: { $ref: '#/definitions/Id' } } } },
      status: { kind: 'versioned', schema: { type: 'object', properties: { removed: { type: 'boolean' } } } },
      metric: { kind: 'timeseries', schema: { type: 'object', required: ['timestampMillis'] } },
    },
    entities: [{ name: 'thing', keyAspect: 'thingKey', aspects: ['status', 'metric'] }],
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see minimal()
function loadError(mutate: (def: any) => void): string {
  const def = minimal();
  mutate(def);
  try {
    new EntityRegistry(def);
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return (err as Error).message;
  }
  throw new Error('expected the registry to be rejected');
}

describe('registry validation at load', () => {
  it('accepts the minimal registry, shared definitions included', () => {
    const registry = new EntityRegistry(minimal());
    expect(registry.name).toBe('test');
    expect(registry.version).toBe('1');
    expect(registry.validateAspect('thing', 'thingKey', { id: 'a' })).toEqual({ ok: true, value: undefined });
    expect(registry.validateAspect('thing', 'thingKey', { id: 1 })).toEqual({ ok: false, error: ['thingKey.id must be string'] });
  });

  it('rejects a non-object', () => {
    expect(() => new EntityRegistry([])).toThrow('the registry must be a JSON object');
    expect(() => new EntityRegistry(null)).toThrow(RegistryError);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see minimal()
  it.each<[string, (def: any) => void, string]>([
    ['an empty object', (d) => Object.keys(d).forEach((k) => delete d[k]), 'registry "name" must be a non-empty string'],
    ['no version', (d) => delete d.version, 'registry "version" must be a non-empty string'],
    ['aspects missing', (d) => delete d.aspects, '"aspects" must be a JSON object'],
    ['unknown kind', (d) => (d.aspects.status.kind = 'snapshot'), 'aspect "status": unknown kind "snapshot" (expected "versioned" or "timeseries")'],
    ['kind missing', (d) => delete d.aspects.status.kind, 'aspect "status": unknown kind undefined'],
    ['schema missing', (d) => delete d.aspects.status.schema, 'aspect "status": "schema" must be a JSON object'],
    ['bad aspect name', (d) => (d.aspects['bad name'] = d.aspects.status), 'aspect name "bad name" is not an identifier'],
    ['no entities', (d) => (d.entities = []), '"entities" must be a non-empty array'],
    ['entity without name', (d) => delete d.entities[0].name, 'entities[0]: "name" must be an identifier'],
    ['missing keyAspect', (d) => delete d.entities[0].keyAspect, 'entity "thing": missing keyAspect'],
    ['undefined keyAspect', (d) => (d.entities[0].keyAspect = 'nope'), 'entity "thing": keyAspect "nope" is not defined in "aspects"'],
    ['keyAspect from the prototype', (d) => (d.entities[0].keyAspect = 'toString'), 'keyAspect "toString" is not defined'],
    ['timeseries keyAspect', (d) => (d.entities[0].keyAspect = 'metric'), 'entity "thing": keyAspect "metric" must be versioned'],
    ['undefined aspect', (d) => d.entities[0].aspects.push('ownership'), 'entity "thing": aspect "ownership" is not defined in "aspects"'],
    ['aspects not a list', (d) => (d.entities[0].aspects = 'status'), 'entity "thing": "aspects" must be an array of names'],
    ['repeated aspect', (d) => d.entities[0].aspects.push('status'), 'entity "thing": aspect "status" repeats "status"'],
    [
      'aspects differing only in case',
      (d) => {
        d.aspects.Status = d.aspects.status;
        d.entities[0].aspects.push('Status');
      },
      'entity "thing": aspect "Status" repeats "status"',
    ],
    [
      'entities differing only in case',
      (d) => d.entities.push({ ...d.entities[0], name: 'Thing' }),
      'entities "thing" and "Thing" differ only in case (or repeat)',
    ],
    ['bad schema', (d) => (d.aspects.status.schema = { type: 'bogus' }), 'aspect "status": invalid schema: schema is invalid'],
    ['dangling $ref', (d) => (d.aspects.status.schema = { $ref: '#/definitions/Nope' }), 'aspect "status": invalid schema: can\'t resolve reference'],
  ])('rejects %s', (_case, mutate, message) => {
    expect(loadError(mutate)).toContain(message);
  });
});
