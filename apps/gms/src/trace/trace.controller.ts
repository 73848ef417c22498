import { Body, Controller, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Settings } from '@lib/config';
import { EntityRegistry } from '@lib/metadata';
import type { Response } from 'express';
import { traceItems, TraceResponse, traceRef, TraceWaiter } from '@lib/trace';
import { RequireScope } from '../auth/auth.decorators';
import { ApiErrorResponses, ApiJsonResponse, ApiTraceIdParam } from '../http/openapi';
import { TraceIdPipe } from './trace-id.pipe';
import { TRACE_BAD_REQUEST, TRACE_SATURATED, TRACE_BODY_EXAMPLES, TRACE_BODY_SCHEMA, TRACE_RESPONSE_EXAMPLES, TRACE_RESPONSE_SCHEMA } from './trace.openapi';
import { TraceQuery } from './trace.query';

@ApiTags('trace (v1)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@RequireScope('read')
@Controller('openapi/v1/trace')
export class TraceController {
  constructor(
    private readonly traces: TraceWaiter,
    private readonly registry: EntityRegistry,
    private readonly settings: Settings,
  ) {}

  @Post('write/:traceId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Where did a write get to? Per URN and aspect, per storage',
    description:
      'Reads SQL and OpenSearch once each; Kafka offsets only for what they cannot settle (cached briefly; skipCache bypasses). ' +
      'States: ACTIVE_STATE, HISTORIC_STATE, PENDING, ERROR, NO_OP, UNKNOWN. ' +
      'waitMs holds the answer while an aspect is PENDING (default TRACE_DEFAULT_WAIT_MS; 0 answers at once). ' +
      'The same trace as a picture: /trace/{traceId} (every write answer links it: Link rel="trace").',
  })
  @ApiTraceIdParam()
  @ApiBody({ schema: TRACE_BODY_SCHEMA, examples: TRACE_BODY_EXAMPLES })
  @ApiJsonResponse(200, 'Per URN and aspect, the state of the write in each storage.', TRACE_RESPONSE_SCHEMA, TRACE_RESPONSE_EXAMPLES)
  @ApiErrorResponses([400, TRACE_BAD_REQUEST], 413, [503, TRACE_SATURATED])
  traceWrite(
    @Param('traceId', TraceIdPipe) traceId: string,
    @Body() body: unknown,
    @Query() query: TraceQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TraceResponse> {
    const items = traceItems(body, this.registry, this.settings.trace);
    return this.traces.trace(traceRef(traceId), items, query, query.waitMs, clientGone(res));
  }
}

/**
 * Aborts when the connection closes before the answer is sent: a client gone frees its waiter. (The
 * response's 'close', not the request's: since Node 16 the request emits 'close' once its body is read.)
 */
function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}
