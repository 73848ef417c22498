import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient, KafkaConsumerService } from '@lib/kafka';
import { ProposalProcessor } from './proposal.processor';

/** The MCE consumer: a member of the MCE group reading the MCP topic. */
@Injectable()
export class MceConsumer extends KafkaConsumerService {
  readonly name = 'mce-consumer';

  constructor(client: KafkaClient, settings: Settings, processor: ProposalProcessor) {
    super(client, settings, settings.groups.mce, [settings.topics.mcp], (batch) => processor.process(batch));
  }
}
