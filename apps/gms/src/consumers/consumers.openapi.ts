import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const STATES = ['OK', 'BEHIND', 'STALLED', 'STOPPED'];
const STATE_HELP =
  'Judged over the monitor window as Burrow does: STOPPED = no member in the group; OK = caught up at some sample of the window ' +
  '(or too little history yet); STALLED = committed offset not moving while there is lag; BEHIND = moving, but lag grew at every sample.';

/** The Swagger shapes of GET /openapi/v1/consumers (ConsumersView of @lib/kafka). */
export class ConsumerPartitionDto {
  @ApiProperty({ example: 'MetadataChangeProposal_v1' }) topic!: string;
  @ApiProperty({ example: 0 }) partition!: number;
  @ApiProperty({ description: 'The next offset the group will read (a 64-bit integer as a string).', example: '1200' }) committedOffset!: string;
  @ApiProperty({ description: 'The high watermark: the next offset to be written.', example: '1250' }) endOffset!: string;
  @ApiProperty({ description: 'endOffset - committedOffset.', example: 50 }) lag!: number;
  @ApiPropertyOptional({ description: 'Client id of the member the partition is assigned to; absent when none is.', example: 'gms-mce' })
  member?: string;
  @ApiProperty({ description: 'Messages per second the group committed on this partition over the window.', example: 412.5 }) rate!: number;
  @ApiProperty({ enum: STATES, description: STATE_HELP }) state!: string;
}

export class ConsumerGroupDto {
  @ApiProperty({ example: 'generic-mce-consumer-job-client' }) groupId!: string;
  @ApiProperty({ description: "The coordinator's state of the group: Stable, Empty, PreparingRebalance, Dead, ...", example: 'Stable' }) groupState!: string;
  @ApiProperty({ example: 1 }) members!: number;
  @ApiProperty({ description: 'Sum over the partitions.', example: 50 }) lag!: number;
  @ApiProperty({ description: 'Sum over the partitions (messages per second).', example: 412.5 }) rate!: number;
  @ApiProperty({ enum: STATES, description: 'The worst state of any partition.' }) state!: string;
  @ApiProperty({ type: [ConsumerPartitionDto] }) partitions!: ConsumerPartitionDto[];
}

export class ConsumersDto {
  @ApiPropertyOptional({ description: 'When the latest sample was taken; absent before the first one.', example: '2026-12-03T17:00:00.000Z' })
  sampledAt?: string;
  @ApiProperty({ description: 'CONSUMER_MONITOR_INTERVAL_MS: one sample this often.', example: 2000 }) intervalMs!: number;
  @ApiProperty({ description: 'CONSUMER_MONITOR_WINDOW: samples the states and rates are judged over.', example: 10 }) windowSize!: number;
  @ApiPropertyOptional({
    description: 'Why the latest sample failed; the figures are then those of the last good one.',
    example: 'Connection error: connect ECONNREFUSED',
  })
  error?: string;
  @ApiProperty({ type: [ConsumerGroupDto], description: 'The MCE group (proposal topic) and the MAE group (both change-log topics).' })
  groups!: ConsumerGroupDto[];
}
