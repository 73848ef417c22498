import { Module } from '@nestjs/common';
import { ConsumerMonitorModule } from '@lib/kafka';
import { ConsumersController } from './consumers.controller';

@Module({
  imports: [ConsumerMonitorModule],
  controllers: [ConsumersController],
})
export class ConsumersModule {}
