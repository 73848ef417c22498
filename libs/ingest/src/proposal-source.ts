import { MetadataChangeProposal } from '@lib/metadata';
import { propertiesOf } from './system-metadata';

/** systemMetadata.properties key recording which MCP-topic message produced the stored value. */
export const MCP_SOURCE = 'mcpSource';

interface Source {
  partition: string;
  offset: bigint;
}

/** Marks a consumed proposal with where it was read: `<topic>:<partition>:<offset>`. */
export function withSource(mcp: MetadataChangeProposal, topic: string, partition: number, offset: string): MetadataChangeProposal {
  const sm = mcp.systemMetadata ?? { runId: 'no-run-id-provided', lastObserved: Date.now() };
  return { ...mcp, systemMetadata: { ...sm, properties: { ...(sm.properties ?? {}), [MCP_SOURCE]: `${topic}:${partition}:${offset}` } } };
}

function sourceOf(sm: unknown): Source | undefined {
  const m = /^(.*:\d+):(\d+)$/.exec(propertiesOf(sm)[MCP_SOURCE] ?? '');
  return m ? { partition: m[1], offset: BigInt(m[2]) } : undefined;
}

/**
 * A URN's proposals all sit on one partition, in order, and the consumer applies them in that order.
 * So a redelivered proposal whose offset is at or before the one that produced the stored value was
 * applied already (or superseded by a later one): applying it again would add a version.
 */
export function alreadyApplied(incoming: unknown, stored: unknown): boolean {
  const a = sourceOf(incoming);
  const b = sourceOf(stored);
  return a !== undefined && b !== undefined && a.partition === b.partition && b.offset >= a.offset;
}
