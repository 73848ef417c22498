import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient, KafkaConsumerService, KafkaPublisher } from '@lib/kafka';
import { SearchHealth } from '@lib/search';
import { ChangeLogProcessor } from './change-log.processor';

/**
 * The MAE consumer: a member of the MAE group reading both MCL topics. A change log that can never be indexed
 * goes to TOPIC_FAILED_MCL once OpenSearch and Kafka are known to answer (PoisonGuard).
 */
@Injectable()
export class MaeConsumer extends KafkaConsumerService {
  readonly name = 'mae-consumer';

  constructor(
    client: KafkaClient,
    settings: Settings,
    private readonly processor: ChangeLogProcessor,
    search: SearchHealth,
    publisher: KafkaPublisher,
  ) {
    super(client, settings, settings.groups.mae, [settings.topics.mclVersioned, settings.topics.mclTimeseries], (batch) => processor.process(batch), {
      ...settings.poison,
      probe: async () => {
        const health = await search.check();
        if (!health.up) throw new Error(`OpenSearch is not serving (${JSON.stringify(health.details)})`);
        await publisher.ready();
      },
      deadLetter: (batch, err) => processor.deadLetter(batch, err),
    });
  }

  /** A batch still re-sending failed items gives up (uncommitted, redelivered) so that leaving the group is not held up. */
  override async beforeApplicationShutdown(): Promise<void> {
    this.processor.stop();
    await super.beforeApplicationShutdown();
  }
}
