import { Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { err, ok } from '@lib/common';
import { Settings, validateEnv } from '@lib/config';
import { loadEntityRegistry, MetadataChangeProposal } from '@lib/metadata';
import { Metrics } from '@lib/metrics';
import { KafkaPublisher, OutgoingRecord } from '@lib/kafka';
import { Applied, ProposalApplier } from './proposal-applier';
import { AspectVersionMismatch } from './proposal-errors';
import { ProposalProcessor } from './proposal.processor';

const registry = loadEntityRegistry();
const settings = new Settings(validateEnv({}));
const urn = (n: number) => `urn:li:dataset:(urn:li:dataPlatform:hive,db.t${n},PROD)`;

function proposal(n: number): MetadataChangeProposal {
  return {
    entityType: 'dataset',
    entityUrn: urn(n),
    changeType: 'UPSERT',
    aspectName: 'status',
    aspect: { value: JSON.stringify({ removed: false }), contentType: 'application/json' },
    systemMetadata: { lastObserved: 1, runId: 'no-run-id-provided', properties: {} },
  } as MetadataChangeProposal;
}

const message = (offset: number, value: unknown): KafkaMessage =>
  ({
    offset: String(offset),
    key: Buffer.from('k'),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

/** Applies every proposal except those of `rejectUrns` (If-Version-Match fails); `fail` makes the batch throw (an outage). */
class FakeApplier {
  rejectUrns = new Set<string>();
  fail?: Error;
  sent: OutgoingRecord[] = [];
  async apply(mcps: MetadataChangeProposal[], extra: (results: Applied[]) => OutgoingRecord[]): Promise<Applied[]> {
    const results = mcps.map((mcp): Applied =>
      this.rejectUrns.has(mcp.entityUrn)
        ? { mcp, result: err(new AspectVersionMismatch('-10000', -1)) }
        : ({ mcp, result: ok({ kind: 'created' }) } as unknown as Applied),
    );
    const records = extra(results);
    if (this.fail) throw this.fail;
    this.sent.push(...records);
    return results;
  }
}

/** The publisher the processor dead-letters with: records land in the fake applier's `sent`, as its own do. */
function publisherOf(applier: FakeApplier): KafkaPublisher {
  return { send: async (records: OutgoingRecord[]) => void applier.sent.push(...records) } as unknown as KafkaPublisher;
}

async function value(metrics: Metrics, name: 'proposalsProcessed' | 'failedProposals') {
  return (await metrics[name].get()).values[0]?.value;
}

describe('ProposalProcessor metrics', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('counts every proposal of an acknowledged batch as processed, and the rejected ones as failed', async () => {
    const applier = new FakeApplier();
    applier.rejectUrns.add(urn(2));
    const metrics = new Metrics();
    const processor = new ProposalProcessor(applier as unknown as ProposalApplier, registry, settings, publisherOf(applier), metrics);
    await processor.process({ topic: 'MCP', partition: 0, messages: [message(0, proposal(1)), message(1, proposal(2)), message(2, 'not json')] });
    expect(await value(metrics, 'proposalsProcessed')).toBe(3);
    expect(await value(metrics, 'failedProposals')).toBe(2);
    expect(applier.sent.filter((r) => r.topic === settings.topics.failedMcp)).toHaveLength(2);
  });

  it('counts nothing for a batch that throws (it is redelivered and counted then)', async () => {
    const applier = new FakeApplier();
    applier.fail = new Error('MySQL is down');
    const metrics = new Metrics();
    const processor = new ProposalProcessor(applier as unknown as ProposalApplier, registry, settings, publisherOf(applier), metrics);
    await expect(processor.process({ topic: 'MCP', partition: 0, messages: [message(0, proposal(1)), message(1, 'not json')] })).rejects.toThrow('MySQL');
    expect(await value(metrics, 'proposalsProcessed')).toBe(0);
    expect(await value(metrics, 'failedProposals')).toBe(0);
  });

  it('dead-letters a message to the failed-proposal topic with its exception, and counts it as failed', async () => {
    const applier = new FakeApplier();
    const metrics = new Metrics();
    const processor = new ProposalProcessor(applier as unknown as ProposalApplier, registry, settings, publisherOf(applier), metrics);
    await processor.deadLetter({ topic: 'MCP', partition: 0, messages: [message(7, proposal(3))] }, new Error('change log too large'));
    expect(await value(metrics, 'failedProposals')).toBe(1);
    const [record] = applier.sent;
    expect(record).toMatchObject({ topic: settings.topics.failedMcp, key: 'k' });
    const failed = JSON.parse(record.value);
    expect(failed.metadataChangeProposal.entityUrn).toBe(urn(3));
    expect(JSON.parse(failed.error)[0]).toMatchObject({ message: 'change log too large' });
  });

  it('works without Metrics', async () => {
    const processor = new ProposalProcessor(new FakeApplier() as unknown as ProposalApplier, registry, settings, publisherOf(new FakeApplier()));
    await expect(processor.process({ topic: 'MCP', partition: 0, messages: [message(0, proposal(1))] })).resolves.toBeUndefined();
  });
});
