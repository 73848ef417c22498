import { BadRequestException, Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Settings } from '@lib/config';
import { EntityRegistry } from '@lib/metadata';
import { parseTraceIdParam } from '@lib/telemetry';
import { traceItems, TraceRequestError, TraceResponse, TraceService, traceRef } from '@lib/trace';
import { queryFlag } from '../http/query-flag';
import { RequireScope } from '../auth/auth.decorators';
import { TRACEPARENT_HEADER } from '../entity/entity.openapi';
import { TRACE_BODY_EXAMPLES, TRACE_BODY_SCHEMA, TRACE_RESPONSE_EXAMPLES, TRACE_RESPONSE_SCHEMA } from './trace.openapi';

@ApiTags('trace (v1)')
@ApiBearerAuth()
@RequireScope('read')
@Controller('openapi/v1/trace')
export class TraceController {
  constructor(
    private readonly traces: TraceService,
    private readonly registry: EntityRegistry,
    private readonly settings: Settings,
  ) {}

  @Post('write/:traceId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Where did a write get to? Per URN and aspect, per storage',
    description:
      'Reads SQL and OpenSearch once each; Kafka offsets only for what they cannot settle (cached briefly; skipCache bypasses). ' +
      'States: ACTIVE_STATE, HISTORIC_STATE, PENDING, ERROR, NO_OP, UNKNOWN.',
  })
  @ApiParam({ name: 'traceId', description: 'A trace id (32 hex) or a whole traceparent header value.', example: '00062c53a468cbd8077e7dd079846870' })
  @ApiQuery({ name: 'onlyIncludeErrors', required: false, schema: { type: 'boolean', default: true } })
  @ApiQuery({ name: 'detailed', required: false, schema: { type: 'boolean', default: false }, description: 'Include the exceptions of failed proposals.' })
  @ApiQuery({ name: 'skipCache', required: false, schema: { type: 'boolean', default: false }, description: 'Refetch consumer-group offsets.' })
  @ApiBody({ schema: TRACE_BODY_SCHEMA, examples: TRACE_BODY_EXAMPLES })
  @ApiResponse({
    status: 200,
    headers: TRACEPARENT_HEADER,
    content: { 'application/json': { schema: TRACE_RESPONSE_SCHEMA, examples: TRACE_RESPONSE_EXAMPLES } },
  })
  @ApiResponse({
    status: 400,
    description: 'Unparsable trace id, a body that is not an object of string arrays, a malformed URN, an unknown entity type, too many URNs or aspects.',
  })
  async traceWrite(
    @Param('traceId') traceIdParam: string,
    @Body() body: unknown,
    @Query('onlyIncludeErrors') onlyErrors: string | undefined,
    @Query('detailed') detailed: string | undefined,
    @Query('skipCache') skipCache: string | undefined,
  ): Promise<TraceResponse> {
    const parsed = parseTraceIdParam(traceIdParam);
    if ('error' in parsed) throw new BadRequestException(parsed.error);
    const opts = {
      onlyIncludeErrors: queryFlag('onlyIncludeErrors', onlyErrors, true),
      detailed: queryFlag('detailed', detailed, false),
      skipCache: queryFlag('skipCache', skipCache, false),
    };
    let items;
    try {
      items = traceItems(body, this.registry, this.settings.trace);
    } catch (err) {
      if (err instanceof TraceRequestError) throw new BadRequestException(err.message);
      throw err;
    }
    return this.traces.trace(traceRef(parsed.traceId), items, opts);
  }
}
