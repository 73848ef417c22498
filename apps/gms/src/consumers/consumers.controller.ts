import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConsumerGroupMonitor, ConsumersView } from '@lib/kafka';
import { RequireScope } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../http/openapi';
import { ConsumersDto } from './consumers.openapi';

@ApiTags('consumers (v1)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@RequireScope('read')
@Controller('openapi/v1/consumers')
export class ConsumersController {
  constructor(private readonly monitor: ConsumerGroupMonitor) {}

  @Get()
  @ApiOperation({
    summary: 'How far behind the consumers are: per group, topic and partition',
    description:
      'Committed offset, end offset, lag, assigned member, consumption rate and state (OK, BEHIND, STALLED, STOPPED) of the MCE and MAE ' +
      "groups, from the consumer-group monitor's latest sample (every CONSUMER_MONITOR_INTERVAL_MS). /metrics has the same as consumer_group_* gauges.",
  })
  @ApiOkResponse({ type: ConsumersDto, description: "The monitor's latest sample." })
  consumers(): ConsumersView {
    return this.monitor.view();
  }
}
