import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient, KafkaConsumerService } from '@lib/kafka';
import { ChangeLogProcessor } from './change-log.processor';

/** The MAE consumer: a member of the MAE group reading both MCL topics. */
@Injectable()
export class MaeConsumer extends KafkaConsumerService {
  readonly name = 'mae-consumer';

  constructor(
    client: KafkaClient,
    settings: Settings,
    private readonly processor: ChangeLogProcessor,
  ) {
    super(client, settings, settings.groups.mae, [settings.topics.mclVersioned, settings.topics.mclTimeseries], (batch) => processor.process(batch));
  }

  /** A batch still re-sending failed items gives up (uncommitted, redelivered) so that leaving the group is not held up. */
  override async beforeApplicationShutdown(): Promise<void> {
    this.processor.stop();
    await super.beforeApplicationShutdown();
  }
}
