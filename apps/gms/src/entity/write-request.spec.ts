import { PayloadTooLargeException } from '@nestjs/common';
import { loadEntityRegistry } from '@lib/metadata';
import { WriteRequestReader } from './write-request';

const registry = loadEntityRegistry();
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const props = (description: string) => [{ urn: URN, datasetProperties: { value: { description, customProperties: {} } } }];

describe('WriteRequestReader aspect size limit', () => {
  const reader = new WriteRequestReader(registry, 10, 1024);
  // {"description":"...","customProperties":{}} is 40 bytes around the description
  const atLimit = 'x'.repeat(1024 - 40);

  it('accepts a value of exactly MAX_ASPECT_BYTES as JSON', () => {
    expect(reader.batch('dataset', props(atLimit))).toHaveLength(1);
  });

  it('refuses one byte more with 413, naming the aspect, its size and the limit', () => {
    expect(() => reader.batch('dataset', props(atLimit + 'x'))).toThrow(PayloadTooLargeException);
    expect(() => reader.batch('dataset', props(atLimit + 'x'))).toThrow(
      'body[0].datasetProperties.value is too large: 1025 bytes as JSON, at most 1024 (MAX_ASPECT_BYTES)',
    );
  });

  it('counts bytes, not characters', () => {
    expect(() => reader.batch('dataset', props('é'.repeat(600)))).toThrow(/1240 bytes as JSON/);
  });
});

describe('WriteRequestReader deletes', () => {
  const reader = new WriteRequestReader(registry, 10);

  it('deletes the whole entity through its key aspect when no aspect is named, or when the key aspect is', () => {
    const whole = { entityType: 'dataset', urn: URN, aspectName: 'datasetKey', value: null, delete: { purge: false } };
    expect(reader.deletion('dataset', URN, undefined, false)).toEqual(whole);
    expect(reader.deletion('dataset', URN, 'datasetKey', false)).toEqual(whole);
  });

  it('deletes one aspect, purging when asked', () => {
    expect(reader.deletion('dataset', URN, 'globalTags', true)).toEqual({
      entityType: 'dataset',
      urn: URN,
      aspectName: 'globalTags',
      value: null,
      delete: { purge: true },
    });
  });

  it('refuses an unknown entity type, a URN of another type and an unknown aspect, saying which', () => {
    expect(() => reader.deletion('nosuch', URN, undefined, false)).toThrow(/unknown entity type nosuch/);
    expect(() => reader.deletion('chart', URN, undefined, false)).toThrow(/is a dataset URN, not a chart URN/);
    expect(() => reader.deletion('dataset', URN, 'nosuch', false)).toThrow(/aspectName: unknown aspect nosuch of entity type dataset/);
  });
});
