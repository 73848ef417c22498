import { isDependencyFault } from './faults';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe('isDependencyFault', () => {
  it.each([
    ['kafkajs connection error', named('KafkaJSConnectionError')],
    ['kafkajs retries exhausted', named('KafkaJSNumberOfRetriesExceeded')],
    ['kafkajs retriable protocol error', named('KafkaJSProtocolError', { type: 'NOT_LEADER_FOR_PARTITION', retriable: true })],
    ['kafkajs authorization failure', named('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false })],
    ['our timeout', named('TimeoutError')],
    ['OpenSearch connection error', named('ConnectionError')],
    ['OpenSearch 503', named('ResponseError', { statusCode: 503 })],
    ['OpenSearch 429', named('ResponseError', { statusCode: 429 })],
    ['socket refused', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
    ['MySQL connection lost', Object.assign(new Error('x'), { code: 'PROTOCOL_CONNECTION_LOST' })],
    ['MySQL deadlock', Object.assign(new Error('x'), { code: 'ER_LOCK_DEADLOCK' })],
    ['MySQL fatal', Object.assign(new Error('x'), { fatal: true })],
    ['a wrapper whose cause is a dependency fault', new Error('Kafka did not accept', { cause: named('KafkaJSRequestTimeoutError') })],
  ])('%s: yes', (_, err) => expect(isDependencyFault(err)).toBe(true));

  it.each([
    ['message too large', named('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE', retriable: false })],
    ['a wrapper of message too large', new Error('Kafka did not accept', { cause: named('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE' }) })],
    ['OpenSearch 400', named('ResponseError', { statusCode: 400 })],
    ['a TypeError of ours', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a MySQL data error', Object.assign(new Error('x'), { code: 'ER_DATA_TOO_LONG' })],
    ['not an error', 'boom'],
    ['nothing', undefined],
  ])('%s: no', (_, err) => expect(isDependencyFault(err)).toBe(false));
});
