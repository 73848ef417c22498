import { searchableFields } from './entity-fields';

describe('searchableFields', () => {
  it.each([
    ['status', { removed: true }, { removed: true }],
    ['status', {}, { removed: false }],
    ['globalTags', { tags: [{ tag: 'urn:li:tag:pii' }, { tag: 'urn:li:tag:gold', context: 'x' }] }, { tags: ['urn:li:tag:pii', 'urn:li:tag:gold'] }],
    [
      'glossaryTerms',
      { terms: [{ urn: 'urn:li:glossaryTerm:a' }], auditStamp: { time: 1, actor: 'urn:li:corpuser:a' } },
      { glossaryTerms: ['urn:li:glossaryTerm:a'] },
    ],
    ['ownership', { owners: [{ owner: 'urn:li:corpuser:jdoe', type: 'DATAOWNER' }, { type: 'broken' }] }, { owners: ['urn:li:corpuser:jdoe'] }],
    ['datasetProperties', { name: 'orders', description: 'All orders' }, { name: 'orders', description: 'All orders' }],
    ['datasetProperties', { customProperties: {} }, { name: null, description: null }],
    ['chartInfo', { title: 'Revenue', description: 'd' }, { name: 'Revenue', description: 'd' }],
    ['corpUserInfo', { active: true, displayName: 'J. Doe', fullName: 'John Doe' }, { name: 'J. Doe', description: null }],
    ['glossaryTermInfo', { definition: 'A customer', termSource: 'INTERNAL' }, { name: null, description: 'A customer' }],
    ['schemaMetadata', { fields: [] }, {}],
    ['datasetKey', { name: 'x' }, {}],
  ])('%s %j -> %j', (aspect, value, expected) => {
    expect(searchableFields(aspect, value)).toEqual(expected);
  });

  it('ignores lists of the wrong shape rather than failing the document', () => {
    expect(searchableFields('globalTags', { tags: 'urn:li:tag:pii' })).toEqual({ tags: [] });
  });
});
