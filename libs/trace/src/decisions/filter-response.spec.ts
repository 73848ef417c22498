import { aspectResult } from './aspect-result';
import { filterResponse, TraceResponse } from './filter-response';

const ok = aspectResult({ writeStatus: 'ACTIVE_STATE' }, { writeStatus: 'ACTIVE_STATE' });
const primaryFailed = aspectResult({ writeStatus: 'ERROR' }, { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' });
const searchFailed = aspectResult({ writeStatus: 'ACTIVE_STATE' }, { writeStatus: 'ERROR', writeMessage: 'Consumer has processed past the offset.' });
const pending = aspectResult({ writeStatus: 'PENDING' }, { writeStatus: 'PENDING' });

const response: TraceResponse = {
  'urn:li:dataset:a': { status: ok, glossaryTerms: primaryFailed },
  'urn:li:dataset:b': { status: ok, datasetProperties: pending },
  'urn:li:dataset:c': { status: searchFailed },
};

describe('filterResponse', () => {
  it('onlyIncludeErrors: keeps only aspects with an ERROR and drops URNs left empty', () => {
    expect(filterResponse(response, true)).toEqual({
      'urn:li:dataset:a': { glossaryTerms: primaryFailed },
      'urn:li:dataset:c': { status: searchFailed },
    });
  });

  it('a clean trace answers {}', () => {
    expect(filterResponse({ 'urn:li:dataset:a': { status: ok, other: pending } }, true)).toEqual({});
  });

  it('onlyIncludeErrors=false keeps everything', () => {
    expect(filterResponse(response, false)).toEqual(response);
  });

  it('does not change its input', () => {
    const copy = JSON.parse(JSON.stringify(response));
    filterResponse(response, true);
    expect(response).toEqual(copy);
  });
});
