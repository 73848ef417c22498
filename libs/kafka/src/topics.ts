import { Settings } from '@lib/config';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
}

/** The five topics of the write path, with the configured partitioning. */
export function topicSpecs(settings: Settings): TopicSpec[] {
  const { partitions, replicationFactor } = settings.kafka;
  const t = settings.topics;
  return [t.mcp, t.failedMcp, t.failedMcl, t.mclVersioned, t.mclTimeseries].map((topic) => ({
    topic,
    numPartitions: partitions,
    replicationFactor,
  }));
}
