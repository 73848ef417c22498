import { BadRequestException, Body, Controller, HttpCode, Post, Req, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SpanIndex } from '@lib/search';
import { OTLP_TRACES_SCHEMA, parseOtlpTraces } from '@lib/telemetry';
import { RequireScope } from '../auth/auth.decorators';
import { unavailableOnOutage } from '../entity/outage';
import { ApiErrorResponses, ApiJsonResponse } from '../http/openapi';

@ApiTags('OTLP intake')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@RequireScope('write')
@Controller('v1/traces')
export class OtlpController {
  constructor(private readonly spans: SpanIndex) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'OTLP/HTTP trace intake (JSON): store your own spans beside ours',
    description:
      "OpenTelemetry's ExportTraceServiceRequest in its JSON encoding (Content-Type: application/json; protobuf is refused with a 415). " +
      'The spans are stored where the service stores its own (GET /openapi/v1/trace/{traceId}/spans): a client that sends the spans of its job ' +
      'under the traceparent it gave its write sees its steps and the pipeline on one timeline. Sending a span again overwrites it (by span id). ' +
      'At most 10,000 spans per request, 128 attributes, events and links per span.',
  })
  @ApiBody({ schema: OTLP_TRACES_SCHEMA })
  @ApiJsonResponse(200, 'Stored (OTLP ExportTraceServiceResponse).', { type: 'object', properties: { partialSuccess: { type: 'object' } } })
  @ApiErrorResponses(
    [400, 'Not an OTLP JSON trace request; the message names the first wrong field.'],
    413,
    [415, 'Not application/json (OTLP protobuf is not accepted).'],
    [503, 'OpenSearch did not take the spans. Retry after `Retry-After` seconds.'],
  )
  async intake(@Body() body: unknown, @Req() req: Request): Promise<{ partialSuccess: Record<string, never> }> {
    // Read from the request, not with @Headers('content-type'): the body's media type is the document's requestBody, not a header parameter.
    const contentType = req.headers['content-type'];
    if (!/^application\/json\b/i.test(contentType ?? '')) {
      throw new UnsupportedMediaTypeException(`OTLP JSON only (Content-Type: application/json), got ${JSON.stringify(contentType ?? null)}`);
    }
    const parsed = parseOtlpTraces(body);
    if (!parsed.ok) throw new BadRequestException(parsed.error);
    if (parsed.value.length > 0) await unavailableOnOutage(() => this.spans.write(parsed.value));
    return { partialSuccess: {} };
  }
}
