import { Injectable, Logger } from '@nestjs/common';
import { ConsumedBatch } from '@lib/kafka';

/** Applies a batch of MetadataChangeProposals read from the MCP topic. */
@Injectable()
export class ProposalProcessor {
  private readonly logger = new Logger(ProposalProcessor.name);

  async process(batch: ConsumedBatch): Promise<void> {
    this.logger.debug(`${batch.messages.length} proposals from ${batch.topic}[${batch.partition}]`);
  }
}
