import { Global, Module } from '@nestjs/common';
import { MceConsumer } from './mce-consumer';
import { ProposalProcessor } from './proposal.processor';
import { IngestModule } from './ingest.module';

@Global()
@Module({
  imports: [IngestModule],
  providers: [ProposalProcessor, MceConsumer],
  exports: [MceConsumer],
})
export class MceConsumerModule {}
