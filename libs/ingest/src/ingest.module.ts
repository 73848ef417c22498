import { Global, Module } from '@nestjs/common';
import { AspectWriter } from './aspect-writer';
import { ProposalApplier } from './proposal-applier';
import { ProposalPublisher } from './proposal-publisher';

/** The write path shared by the HTTP service (publish, sync writes) and the MCE consumer (apply). */
@Global()
@Module({
  providers: [AspectWriter, ProposalApplier, ProposalPublisher],
  exports: [AspectWriter, ProposalApplier, ProposalPublisher],
})
export class IngestModule {}
