import { Module } from '@nestjs/common';
import { TraceModule } from '@lib/trace';
import { TraceController } from './trace.controller';
import { TraceSpansController } from './trace-spans.controller';

@Module({
  imports: [TraceModule],
  controllers: [TraceController, TraceSpansController],
})
export class TraceApiModule {}
