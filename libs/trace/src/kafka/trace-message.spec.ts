import { EXAMPLE_TRACE_ID } from '../testing/fixtures';
import { RecordLike, traceMatcher } from './trace-message';

const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)';
const TRACE = EXAMPLE_TRACE_ID;

function proposal(aspectName: string, traceId = TRACE, entityUrn = URN) {
  return {
    entityType: 'dataset',
    entityUrn,
    changeType: 'UPSERT',
    aspectName,
    aspect: { value: '{}', contentType: 'application/json' },
    systemMetadata: { lastObserved: 1, runId: 'r', properties: { telemetryTraceId: traceId } },
  };
}
const record = (value: unknown, key: string | null = URN): RecordLike => ({
  key: key === null ? null : Buffer.from(key),
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('traceMatcher', () => {
  const change = traceMatcher({ urn: URN, aspects: ['status', 'ownership'], traceId: TRACE, format: 'change' });

  it('matches a proposal of a wanted aspect carrying our trace id, returning the parsed value', () => {
    const value = proposal('status');
    expect(change(record(value))).toEqual({ aspect: 'status', value });
    expect(change(record(proposal('ownership')))?.aspect).toBe('ownership');
  });

  it.each<[string, RecordLike]>([
    ['another key', record(proposal('status'), 'urn:li:dataset:other')],
    ['no key', record(proposal('status'), null)],
    ['another trace', record(proposal('status', 'ffff2c53a468cbd8077e7dd079846870'))],
    ['an aspect not asked for', record(proposal('schemaMetadata'))],
    ['aspect names differing in case', record(proposal('Status'))],
    ['a body for another URN under our key', record(proposal('status', TRACE, 'urn:li:dataset:other'))],
    ['no systemMetadata', record({ ...proposal('status'), systemMetadata: undefined })],
    ['a value that is not JSON', record('{not json')],
    ['a JSON array', record([proposal('status')])],
  ])('skips %s', (_what, rec) => {
    expect(change(rec)).toBeUndefined();
  });

  it("reads the failed topic's envelope", () => {
    const failed = traceMatcher({ urn: URN, aspects: ['glossaryTerms'], traceId: TRACE, format: 'failed' });
    const envelope = { error: '[]', metadataChangeProposal: proposal('glossaryTerms') };
    expect(failed(record(envelope))).toEqual({ aspect: 'glossaryTerms', value: envelope });
    // A bare proposal is not a failure record, and the envelope is not a proposal.
    expect(failed(record(proposal('glossaryTerms')))).toBeUndefined();
    expect(traceMatcher({ urn: URN, aspects: ['glossaryTerms'], traceId: TRACE, format: 'change' })(record(envelope))).toBeUndefined();
  });
});
