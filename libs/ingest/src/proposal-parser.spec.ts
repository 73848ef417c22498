import { loadEntityRegistry } from '@lib/metadata';
import { JSON_PATCH_CONTENT_TYPE } from './patch';
import { InvalidProposal } from './proposal-errors';
import { parseProposal } from './proposal-parser';

const registry = loadEntityRegistry();
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const addTag = [{ op: 'add', path: '/tags/urn:li:tag:x', value: { tag: 'urn:li:tag:x' } }];

function text(changeType: string, aspectName: string, value: unknown, contentType: string = JSON_PATCH_CONTENT_TYPE): string {
  return JSON.stringify({ entityType: 'dataset', entityUrn: URN, changeType, aspectName, aspect: { value: JSON.stringify(value), contentType } });
}

describe('parseProposal', () => {
  it('accepts a PATCH whose value is a JSON Patch, bare or with arrayPrimaryKeys, without checking it against the aspect schema', () => {
    expect(parseProposal(text('PATCH', 'globalTags', addTag), registry).changeType).toBe('PATCH');
    expect(parseProposal(text('PATCH', 'globalTags', { patch: addTag, arrayPrimaryKeys: { tags: ['tag'] } }), registry).aspectName).toBe('globalTags');
  });

  it('accepts a DELETE, dropping any value sent with it', () => {
    const mcp = parseProposal(text('DELETE', 'globalTags', { not: 'checked' }, 'application/json'), registry);
    expect(mcp).toMatchObject({ changeType: 'DELETE', aspectName: 'globalTags' });
    expect(mcp.aspect).toBeUndefined();
  });

  it.each([
    [text('PATCH', 'globalTags', addTag, 'application/json'), 'changeType PATCH needs contentType application/json-patch+json'],
    [text('PATCH', 'globalTags', [{ op: 'add', path: 'tags' }]), 'aspect globalTags: invalid JSON Patch: patch[0].path'],
    [text('PATCH', 'datasetProfile', addTag), 'datasetProfile is a timeseries aspect and cannot be patched'],
    [text('UPSERT', 'globalTags', { tags: [] }), 'contentType application/json-patch+json needs changeType PATCH'],
    [text('RESTATE', 'globalTags', {}, 'application/json'), 'changeType RESTATE is not supported'],
    [text('DELETE', 'chartInfo', {}, 'application/json'), 'unknown aspect chartInfo of entity type dataset'],
  ])('refuses %s: %s', (message, reason) => {
    expect(() => parseProposal(message, registry)).toThrow(InvalidProposal);
    expect(() => parseProposal(message, registry)).toThrow(reason);
  });
});
