/** An offset as kafkajs gives it (string), or already converted. Compared as BigInt, never as text. */
export type Offset = bigint | string | number;

/**
 * The result of looking for our message on the URN's partition of a topic, and of the consumer group's
 * committed offset on that partition. Used three ways: MCP topic / MCE group (primary), versioned MCL
 * topic / MAE group (search), timeseries MCL topic / MAE group (timeseries search).
 */
export type KafkaLookup =
  /** A message for (urn, aspect) carrying our trace id is on the partition. */
  | {
      kind: 'found';
      /** The message's offset. */
      offset: Offset;
      /**
       * The group's committed offset on that partition: the *next* offset it will read.
       * null (or kafkajs' '-1') = the group exists but has not committed on this partition yet; it will
       * start from the earliest offset, so the message will still be read.
       */
      committed: Offset | null;
      /**
       * The record's timestamp (epoch ms). Only used when the trace id carries no time (a foreign id),
       * to tell "overwritten later" from "lost" on the primary side.
       */
      timestamp?: number;
    }
  /**
   * The partition range where the message could be was read completely and it is not there: this
   * write did not touch (urn, aspect). If the read stopped at its bound before covering that range,
   * answer `failed` with the reason instead.
   */
  | { kind: 'not-found' }
  /** The consumer group has no committed offsets at all (it does not exist). May be answered without reading messages. */
  | { kind: 'no-group' }
  /** Kafka could not be read, or the deadline passed; `reason` is shown to the caller. */
  | { kind: 'failed'; reason: string };
