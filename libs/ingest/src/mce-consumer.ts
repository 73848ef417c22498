import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient, KafkaConsumerService, KafkaPublisher } from '@lib/kafka';
import { SqlHealth } from '@lib/sql';
import { ProposalProcessor } from './proposal.processor';

/**
 * The MCE consumer: a member of the MCE group reading the MCP topic. A proposal that can never be processed
 * goes to the failed-proposal topic once MySQL and Kafka are known to answer (PoisonGuard).
 */
@Injectable()
export class MceConsumer extends KafkaConsumerService {
  readonly name = 'mce-consumer';

  constructor(client: KafkaClient, settings: Settings, processor: ProposalProcessor, sql: SqlHealth, publisher: KafkaPublisher) {
    super(client, settings, settings.groups.mce, [settings.topics.mcp], (batch) => processor.process(batch), {
      ...settings.poison,
      probe: async () => {
        await sql.check();
        await publisher.ready();
      },
      deadLetter: (batch, err) => processor.deadLetter(batch, err),
    });
  }
}
