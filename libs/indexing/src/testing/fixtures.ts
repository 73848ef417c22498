import { KafkaMessage } from 'kafkajs';
import { MetadataChangeLog } from '@lib/metadata';
import { AspectChange } from '@lib/search';
import { KafkaPublisher, OutgoingRecord } from '@lib/kafka';
import { Settings, validateEnv } from '@lib/config';

/**
 * Fixtures of the change-log specs (parser, processor, processor metrics): one dataset, a change log of it as
 * the MCE consumer publishes it, the change the parser reads out of it, and the Kafka message that carries it.
 */

export const URN = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.orders,PROD)';
export const TRACE_ID = '00062c53a468cbd8a1b2c3d4e5f60718';
export const LAST_OBSERVED = 1700000000000;

/**
 * An UPSERT change log of `aspectName` of URN, with `value` as the aspect's JSON text, observed at `lastObserved`
 * (what orders the writes of one aspect). Spread it to change or drop a field: `{ ...changeLog(), entityUrn: x }`.
 */
export function changeLog(aspectName = 'status', value: unknown = { removed: false }, lastObserved = LAST_OBSERVED): MetadataChangeLog {
  return {
    entityType: 'dataset',
    entityUrn: URN,
    changeType: 'UPSERT',
    aspectName,
    aspect: { value: JSON.stringify(value), contentType: 'application/json' },
    systemMetadata: { lastObserved, runId: 'no-run-id-provided', version: '1', properties: { telemetryTraceId: TRACE_ID, telemetryLog: 'false' } },
    created: { time: lastObserved, actor: 'urn:li:corpuser:jdoe' },
  };
}

/** What the parser reads out of `mcl` (a valid one): the change the search side indexes. */
export function parsedChange(mcl: MetadataChangeLog = changeLog()): AspectChange {
  return { entityType: mcl.entityType, urn: mcl.entityUrn, aspect: mcl.aspectName, value: JSON.parse(mcl.aspect!.value), systemMetadata: mcl.systemMetadata! };
}

/** A message value as Kafka hands it over: JSON of `value`, or `value` itself when it is text already. */
export const messageValue = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** A Kafka message at `offset` carrying `value` (a change log, or any text), keyed by `key`. */
export function kafkaMessage(offset: number, value: unknown, key = URN): KafkaMessage {
  return { offset: String(offset), key: Buffer.from(key), value: messageValue(value), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage;
}

/** A KafkaPublisher that keeps what it is given (the processor's dead letters), and fails when told to. */
export class FakePublisher {
  sent: OutgoingRecord[] = [];
  fail?: Error;
  async send(records: OutgoingRecord[]): Promise<[]> {
    if (this.fail && records.length > 0) throw this.fail;
    this.sent.push(...records);
    return [];
  }
  async ready(): Promise<void> {}
  asPublisher(): KafkaPublisher {
    return this as unknown as KafkaPublisher;
  }
}

/** The settings of the processor specs: the defaults (TOPIC_FAILED_MCL is FailedMetadataChangeLog_v1). */
export const SETTINGS = new Settings(validateEnv({}));
