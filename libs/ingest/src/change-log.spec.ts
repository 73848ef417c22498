import { END_TIME_MILLIS_HEADER, MetadataChangeProposal, START_TIME_MILLIS_HEADER } from '@lib/metadata';
import { timeseriesChangeLogOf } from './change-log';

const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.orders,PROD)';
const systemMetadata = { lastObserved: 1, runId: 'r', properties: { telemetryTraceId: '00062c53a468cbd8a1b2c3d4e5f60718' } };

describe('timeseriesChangeLogOf', () => {
  it('makes an UPSERT change log of a timeseries proposal, observed now', () => {
    const mcp: MetadataChangeProposal = {
      entityType: 'dataset',
      entityUrn: URN,
      changeType: 'UPSERT',
      aspectName: 'datasetProfile',
      aspect: { value: '{"timestampMillis":5}', contentType: 'application/json' },
      systemMetadata,
    };
    expect(timeseriesChangeLogOf(mcp, 1000)).toEqual({
      ...mcp,
      systemMetadata: { ...systemMetadata, lastObserved: 1000 },
      created: { time: 1000, actor: 'urn:li:corpuser:__anonymous' },
    });
  });

  it('keeps a DELETE a DELETE, without a value, with its time-range headers', () => {
    const headers = { [START_TIME_MILLIS_HEADER]: '10', [END_TIME_MILLIS_HEADER]: '20' };
    const mcp: MetadataChangeProposal = { entityType: 'dataset', entityUrn: URN, changeType: 'DELETE', aspectName: 'datasetProfile', systemMetadata, headers };
    const log = timeseriesChangeLogOf({ ...mcp, aspect: { value: '{}', contentType: 'application/json' } }, 1000);
    expect(log).toEqual({ ...mcp, systemMetadata: { ...systemMetadata, lastObserved: 1000 }, created: { time: 1000, actor: 'urn:li:corpuser:__anonymous' } });
    expect(log).not.toHaveProperty('aspect');
  });
});
