import { Global, Module } from '@nestjs/common';
import { MceConsumer } from './mce-consumer';
import { ProposalProcessor } from './proposal.processor';

@Global()
@Module({
  providers: [ProposalProcessor, MceConsumer],
  exports: [MceConsumer],
})
export class MceConsumerModule {}
