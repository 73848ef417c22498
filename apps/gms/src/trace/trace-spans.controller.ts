import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SpanIndex } from '@lib/search';
import { OTLP_TRACES_SCHEMA, toOtlp } from '@lib/telemetry';
import { RequireScope } from '../auth/auth.decorators';
import { unavailableOnOutage } from '../entity/outage';
import { ApiErrorResponses, ApiJsonResponse, ApiTraceIdParam } from '../http/openapi';
import { TraceIdPipe } from './trace-id.pipe';

@ApiTags('trace (v1)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@RequireScope('read')
@Controller('openapi/v1/trace')
export class TraceSpansController {
  constructor(private readonly spans: SpanIndex) {}

  @Get(':traceId/spans')
  @ApiOperation({
    summary: "A trace's stored spans, as OTLP JSON",
    description:
      'The spans of gms, the MCE and the MAE consumer (and any sent to POST /v1/traces) stored under this trace id: those of writes that asked ' +
      'for the trace log (X-Enable-Trace-Log: true, or cookie enable-trace-log=true) and of the TRACE_SPAN_SAMPLE_RATIO share of all traces. ' +
      'Grouped by resource (service.name, service.instance.id) and scope, as any OpenTelemetry tool reads them. Spans are stored in batches: ' +
      'they appear within about two seconds of ending. An unknown trace id answers no spans.',
  })
  @ApiTraceIdParam()
  @ApiJsonResponse(200, 'The stored spans (none for an unknown trace id).', OTLP_TRACES_SCHEMA)
  @ApiErrorResponses(400, 503)
  async spansOf(@Param('traceId', TraceIdPipe) traceId: string): Promise<ReturnType<typeof toOtlp>> {
    return toOtlp(await unavailableOnOutage(() => this.spans.spansOf(traceId)));
  }
}
