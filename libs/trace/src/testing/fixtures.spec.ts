import { traceRef } from '../decisions/inputs';
import { EXAMPLE_TRACE_ID, T, traceIdAt } from './fixtures';

describe('test fixtures', () => {
  it("build the contract's example trace id", () => {
    expect(EXAMPLE_TRACE_ID).toBe('00062c53a468cbd8077e7dd079846870');
  });

  it('mint trace ids that decode to the time asked for', () => {
    expect(traceRef(traceIdAt(T + 1234), T + 60_000).timestamp).toBe(T + 1234);
  });
});
