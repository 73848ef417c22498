import { alreadyApplied, MCP_SOURCE, withSource } from './proposal-source';
import { MetadataChangeProposal } from '@lib/metadata';

const sm = (source?: string) => ({ lastObserved: 1, runId: 'r', properties: source ? { [MCP_SOURCE]: source } : {} });

describe('proposal source', () => {
  it('recognises a redelivery at or before the offset that produced the stored value', () => {
    expect(alreadyApplied(sm('MCP:2:10'), sm('MCP:2:10'))).toBe(true);
    expect(alreadyApplied(sm('MCP:2:9'), sm('MCP:2:11'))).toBe(true);
    expect(alreadyApplied(sm('MCP:2:12'), sm('MCP:2:11'))).toBe(false);
    expect(alreadyApplied(sm('MCP:1:9'), sm('MCP:2:11'))).toBe(false);
    expect(alreadyApplied(sm('MCP:2:9'), sm())).toBe(false);
    expect(alreadyApplied(sm(), sm('MCP:2:11'))).toBe(false);
    expect(alreadyApplied(sm('MCP:2:100'), sm('MCP:2:99'))).toBe(false);
  });

  it('stamps a consumed proposal with topic, partition and offset', () => {
    const mcp = { entityUrn: 'u', systemMetadata: sm() } as unknown as MetadataChangeProposal;
    expect(withSource(mcp, 'MetadataChangeProposal_v1', 2, '17').systemMetadata?.properties?.[MCP_SOURCE]).toBe('MetadataChangeProposal_v1:2:17');
  });
});
