import { END_TIME_MILLIS_HEADER, START_TIME_MILLIS_HEADER } from '@lib/metadata';
import { ProposalPublisher } from './proposal-publisher';
import { PURGE_HEADER } from './write-rules';

// proposalsOf is pure: the publisher, registry and settings are only used when sending.
const publisher = new ProposalPublisher({} as never, {} as never, {} as never);
const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const base = { entityType: 'dataset', urn: URN, value: null };

describe('ProposalPublisher.proposalsOf', () => {
  it('makes a DELETE proposal without an aspect value, with the purge header only when purging', () => {
    const [kept, purged] = publisher.proposalsOf(
      [
        { ...base, aspectName: 'globalTags', delete: { purge: false } },
        { ...base, aspectName: 'datasetKey', delete: { purge: true }, headers: { 'X-Other': '1' } },
      ],
      'urn:li:corpuser:alice',
      1000,
    );
    expect([kept.changeType, kept.aspect, kept.headers]).toEqual(['DELETE', undefined, undefined]);
    expect([purged.changeType, purged.aspect, purged.headers]).toEqual(['DELETE', undefined, { 'X-Other': '1', [PURGE_HEADER]: 'true' }]);
    expect(purged.created).toEqual({ time: 1000, actor: 'urn:li:corpuser:alice' });
  });

  it("carries a timeseries delete's time range as headers, only the bounds given", () => {
    const [both, open] = publisher.proposalsOf(
      [
        { ...base, aspectName: 'datasetProfile', delete: { purge: true, startTimeMillis: 10, endTimeMillis: 20 } },
        { ...base, aspectName: 'datasetProfile', delete: { purge: false, endTimeMillis: 0 } },
      ],
      'urn:li:corpuser:alice',
    );
    expect(both.headers).toEqual({ [PURGE_HEADER]: 'true', [START_TIME_MILLIS_HEADER]: '10', [END_TIME_MILLIS_HEADER]: '20' });
    expect(open.headers).toEqual({ [END_TIME_MILLIS_HEADER]: '0' });
  });

  it('makes UPSERT and PATCH proposals with their value as JSON text', () => {
    const [upsert, patch] = publisher.proposalsOf(
      [
        { ...base, aspectName: 'status', value: { removed: false } },
        { ...base, aspectName: 'globalTags', value: [{ op: 'remove', path: '/tags/x' }], patch: true },
      ],
      'urn:li:corpuser:alice',
    );
    expect([upsert.changeType, upsert.aspect]).toEqual(['UPSERT', { value: '{"removed":false}', contentType: 'application/json' }]);
    expect([patch.changeType, patch.aspect?.contentType]).toEqual(['PATCH', 'application/json-patch+json']);
  });
});
