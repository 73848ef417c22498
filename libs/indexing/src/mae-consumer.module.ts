import { Global, Module } from '@nestjs/common';
import { MaeConsumer } from './mae-consumer';
import { ChangeLogProcessor } from './change-log.processor';

@Global()
@Module({
  providers: [ChangeLogProcessor, MaeConsumer],
  exports: [MaeConsumer],
})
export class MaeConsumerModule {}
