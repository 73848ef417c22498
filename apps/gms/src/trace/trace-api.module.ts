import { Module } from '@nestjs/common';
import { TraceModule } from '@lib/trace';
import { TraceController } from './trace.controller';

@Module({
  imports: [TraceModule],
  controllers: [TraceController],
})
export class TraceApiModule {}
