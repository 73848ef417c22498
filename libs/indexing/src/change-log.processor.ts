import { Injectable, Logger } from '@nestjs/common';
import { ConsumedBatch } from '@lib/kafka';

/** Indexes a batch of MetadataChangeLogs read from the MCL topics. */
@Injectable()
export class ChangeLogProcessor {
  private readonly logger = new Logger(ChangeLogProcessor.name);

  async process(batch: ConsumedBatch): Promise<void> {
    this.logger.debug(`${batch.messages.length} change logs from ${batch.topic}[${batch.partition}]`);
  }
}
