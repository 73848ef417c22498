import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient } from './kafka.client';
import { topicSpecs } from './topics';

/** Creates the write path's topics when missing (idempotent); never changes existing ones. */
@Injectable()
export class TopicSetup {
  private readonly logger = new Logger(TopicSetup.name);

  constructor(
    private readonly client: KafkaClient,
    private readonly settings: Settings,
  ) {}

  async ensure(): Promise<string[]> {
    const admin = await this.client.getAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs(this.settings).filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
      this.logger.log(`created topics ${missing.map((m) => m.topic).join(', ')}`);
    }
    return missing.map((m) => m.topic);
  }
}
