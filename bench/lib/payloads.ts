import { randomBytes } from 'crypto';
import { Message } from 'kafkajs';
import { URN_PREFIX } from './env';

export const ASPECT = 'datasetProperties';
export const RUN = Date.now().toString(36);

export const urnOf = (tag: string, i: number) => `${URN_PREFIX}${RUN}_${tag}.table_${i},PROD)`;
export const urns = (tag: string, from: number, count: number) => Array.from({ length: count }, (_, k) => urnOf(tag, from + k));

/** A realistic small aspect (~250 bytes): what an ingestion run writes for most datasets. */
export function aspectValue(i: number) {
  return {
    description: `Benchmark dataset ${i}: daily snapshot of orders joined with customers, partitioned by date.`,
    name: `table_${i}`,
    qualifiedName: `bench.sales.table_${i}`,
    customProperties: { team: 'bench', tier: 'gold', retention: '90d' },
    tags: ['bench', 'orders'],
  };
}

/** The body of POST /openapi/v3/entity/dataset for these URNs, one datasetProperties aspect each. */
export function serviceBody(list: string[], offset = 0): string {
  return JSON.stringify(list.map((urn, k) => ({ urn, [ASPECT]: { value: aspectValue(offset + k) } })));
}

/** The aspect the PATCH cells write: a tag added by key, the commonest patch an ingestion or the UI sends. */
export const PATCH_ASPECT = 'globalTags';

/** The JSON Patch adding tag `bench_<i mod 10>` to globalTags (applied to the stored value, or the empty one, by the MCE consumer). */
export function patchValue(i: number) {
  const tag = `urn:li:tag:bench_${i % 10}`;
  return { patch: [{ op: 'add', path: `/tags/${tag}`, value: { tag } }] };
}

/** The body of PATCH /openapi/v3/entity/dataset for these URNs, one globalTags patch each (serviceBody's counterpart). */
export function patchBody(list: string[], offset = 0): string {
  return JSON.stringify(list.map((urn, k) => ({ urn, [PATCH_ASPECT]: { value: patchValue(offset + k) } })));
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A trace id made like the service makes them: 16 hex of epoch microseconds, 16 random. */
export const newTraceId = (now = Date.now()) => (BigInt(now) * 1000n).toString(16).padStart(16, '0') + hex(8);

/**
 * The MetadataChangeProposals the service would put on Kafka for these URNs (same fields, same
 * systemMetadata telemetry, same traceparent header): what the bare-producer floors send.
 */
export function mcpMessages(list: string[], traceId: string, offset = 0, now = Date.now()): Message[] {
  return list.map((urn, k) => {
    const spanId = hex(8);
    const value = {
      entityType: 'dataset',
      entityUrn: urn,
      changeType: 'UPSERT',
      aspectName: ASPECT,
      aspect: { value: JSON.stringify(aspectValue(offset + k)), contentType: 'application/json' },
      systemMetadata: {
        runId: 'no-run-id-provided',
        lastObserved: now,
        properties: { telemetryTraceId: traceId, telemetryQueueSpanId: spanId, telemetryEnqueuedAt: String(now), telemetryLog: 'false' },
      },
      created: { time: now, actor: 'urn:li:corpuser:__anonymous' },
    };
    return { key: urn, value: JSON.stringify(value), headers: { traceparent: `00-${traceId}-${spanId}-01` } };
  });
}

/** What the MCE consumer writes to the failed topic for a proposal it rejected (scenario 5's filler). */
export function failedMessage(urn: string, i: number): Message {
  const [mcp] = mcpMessages([urn], newTraceId(), i);
  const frames = [
    'checkIfVersionMatch (dist/libs/ingest/src/if-version-match.js:28:15)',
    'dist/libs/ingest/src/aspect-writer.js:79:56',
    'async inTransaction (dist/libs/sql/src/transaction.js:14:28)',
    'async ProposalApplier.writeAll (dist/libs/ingest/src/proposal-applier.js:72:9)',
    'async ProposalProcessor.process (dist/libs/ingest/src/proposal.processor.js:67:13)',
  ];
  const error = JSON.stringify([
    { message: 'Expected version -10000, actual version -1', exceptionClass: 'AspectVersionMismatch', stackTrace: frames.map((f) => `at ${f}`) },
  ]);
  return { key: urn, value: JSON.stringify({ error, metadataChangeProposal: JSON.parse(String(mcp.value)) }) };
}
