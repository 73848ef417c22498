import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient, KafkaConsumerService } from '@lib/kafka';
import { ChangeLogProcessor } from './change-log.processor';

/** The MAE consumer: a member of the MAE group reading both MCL topics. */
@Injectable()
export class MaeConsumer extends KafkaConsumerService {
  readonly name = 'mae-consumer';

  constructor(client: KafkaClient, settings: Settings, processor: ChangeLogProcessor) {
    super(client, settings, settings.groups.mae, [settings.topics.mclVersioned, settings.topics.mclTimeseries], (batch) => processor.process(batch));
  }
}
