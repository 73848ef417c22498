const URN = 'urn:li:dataset:(urn:li:dataPlatform:bigquery,transactions.user_profile,PROD)';

/** What a 400 of the trace route means. */
export const TRACE_BAD_REQUEST =
  'Unparsable trace id, a body that is not an object of string arrays, a malformed URN, an unknown entity type, too many URNs (TRACE_MAX_URNS) or (urn, aspect) pairs (TRACE_MAX_PAIRS), a bad query flag.';

export const TRACE_SATURATED =
  'The trace needs Kafka and every Kafka slot of this process (TRACE_KAFKA_MAX_INFLIGHT) stayed taken for TRACE_KAFKA_QUEUE_MS: retry after `Retry-After` seconds. ' +
  'Traces the stores settle never get it. Also: a store or Kafka needed for the answer is unavailable.';

export const TRACE_BODY_SCHEMA = {
  type: 'object',
  description: 'URN -> aspect names written under this trace id. An empty list means every aspect of the entity type.',
  additionalProperties: { type: 'array', items: { type: 'string' } },
};

export const TRACE_BODY_EXAMPLES = {
  oneAspect: { summary: 'One URN, one aspect', value: { [URN]: ['status'] } },
  several: { summary: 'Several aspects', value: { [URN]: ['datasetProperties', 'status'] } },
  all: { summary: 'Every aspect of the entity', value: { [URN]: [] } },
};

const storage = {
  type: 'object',
  properties: {
    writeStatus: { type: 'string', enum: ['ERROR', 'PENDING', 'ACTIVE_STATE', 'HISTORIC_STATE', 'NO_OP', 'UNKNOWN', 'TRACE_NOT_IMPLEMENTED'] },
    writeMessage: { type: 'string' },
    writeExceptions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { message: { type: 'string' }, exceptionClass: { type: 'string' }, stackTrace: { type: 'array', items: { type: 'string' } } },
      },
    },
    queue: {
      type: 'object',
      description: 'PENDING on a located Kafka message only: where it waits and what its consumer group is doing (docs/trace-semantics.md 5.5).',
      properties: {
        consumerGroup: { type: 'string' },
        topic: { type: 'string' },
        partition: { type: 'integer' },
        offset: { type: 'string', description: "The message's offset (64-bit, as a string)." },
        committedOffset: { type: 'string', description: "The group's committed offset on the partition: the next it reads." },
        messagesAhead: { type: 'integer', description: 'Messages before ours the group has still to process.' },
        consumerState: { type: 'string', enum: ['OK', 'BEHIND', 'STALLED', 'STOPPED'] },
        consumptionRate: { type: 'number', description: 'Messages per second the group committed there lately.' },
        estimatedWaitMs: { type: 'integer', description: 'Absent when the group is not moving.' },
      },
    },
  },
};

export const TRACE_RESPONSE_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: { type: 'object', properties: { success: { type: 'boolean' }, primaryStorage: storage, searchStorage: storage } },
  },
};

export const TRACE_RESPONSE_EXAMPLES = {
  clean: {
    summary: 'A successful write',
    value: { [URN]: { status: { success: true, primaryStorage: { writeStatus: 'ACTIVE_STATE' }, searchStorage: { writeStatus: 'ACTIVE_STATE' } } } },
  },
  pending: {
    summary: 'Still queued',
    value: {
      [URN]: {
        status: {
          success: true,
          primaryStorage: {
            writeStatus: 'PENDING',
            writeMessage: 'Consumer has not processed offset.',
            queue: {
              consumerGroup: 'generic-mce-consumer-job-client',
              topic: 'MetadataChangeProposal_v1',
              partition: 1,
              offset: '1250',
              committedOffset: '1200',
              messagesAhead: 50,
              consumerState: 'OK',
              consumptionRate: 420.5,
              estimatedWaitMs: 122,
            },
          },
          searchStorage: { writeStatus: 'PENDING', writeMessage: 'Pending primary storage write.' },
        },
      },
    },
  },
  error: {
    summary: 'A failed write (detailed=true)',
    value: {
      [URN]: {
        status: {
          success: false,
          primaryStorage: {
            writeStatus: 'ERROR',
            writeExceptions: [
              { message: 'Expected version -100000, actual version -1', exceptionClass: 'AspectVersionMismatch', stackTrace: ['at AspectWriter.write (...)'] },
            ],
          },
          searchStorage: { writeStatus: 'ERROR', writeMessage: 'Primary storage write failed.' },
        },
      },
    },
  },
};
