import { Module } from '@nestjs/common';
import { Settings } from '@lib/config';
import { KafkaClient } from '../kafka.client';
import { ConsumerGroupMonitor, MONITOR_ADMIN, MONITOR_OPTIONS, MonitorAdmin, MonitorOptions } from './consumer-group-monitor';

/**
 * The consumer-group monitor of the pipeline's two groups: MCE on the proposal topic, MAE on both change-log
 * topics. Imported where it is read (the trace, the consumers view, backpressure): one instance per process.
 */
@Module({
  providers: [
    {
      provide: MONITOR_ADMIN,
      inject: [KafkaClient, Settings],
      useFactory: (k: KafkaClient, s: Settings) => (): Promise<MonitorAdmin> => k.getAdmin(s.healthTimeoutMs),
    },
    {
      provide: MONITOR_OPTIONS,
      inject: [Settings],
      useFactory: (s: Settings): MonitorOptions => ({
        groups: [
          { groupId: s.groups.mce, topics: [s.topics.mcp] },
          { groupId: s.groups.mae, topics: [s.topics.mclVersioned, s.topics.mclTimeseries] },
        ],
        intervalMs: s.consumerMonitor.intervalMs,
        windowSize: s.consumerMonitor.windowSize,
      }),
    },
    ConsumerGroupMonitor,
  ],
  exports: [ConsumerGroupMonitor],
})
export class ConsumerMonitorModule {}
