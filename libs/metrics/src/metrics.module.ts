import cluster from 'cluster';
import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';

/**
 * One Metrics (and its registry, with the default process metrics) per process, and `GET /metrics`;
 * in a cluster worker, `GET /metrics` answers for every worker.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Metrics, useFactory: () => new Metrics({ defaultMetrics: true, clusterWorker: cluster.isWorker }) }],
  exports: [Metrics],
})
export class MetricsModule {}
