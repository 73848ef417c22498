import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** Every response carries the W3C traceparent of the request: its trace id is what the trace endpoint takes. */
export const TRACEPARENT_HEADER = {
  traceparent: {
    description: 'W3C trace context of this request, `00-<traceId>-<spanId>-<flags>`. The whole value, or its trace id, is accepted by the trace endpoint.',
    schema: { type: 'string', example: '00-00062c53a468cbd8077e7dd079846870-9199effb49910b4e-01' },
  },
};

/** A 429's advice: when to try again. */
const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description:
      'Seconds to wait before retrying (429: the time the MCE consumer needs, at its recent rate, to get back under the bound; 503 of a trace: when a Kafka slot is likely free).',
    schema: { type: 'integer', example: 3 },
  },
};

/** The one JSON shape of every error answer (Nest's, and DomainErrorsFilter's). */
export class ApiError {
  @ApiProperty({ type: 'integer', example: 400 }) readonly statusCode!: number;
  @ApiProperty({ example: 'body[0].urn must be a non-empty string' }) readonly message!: string;
  @ApiPropertyOptional({ example: 'Bad Request' }) readonly error?: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 503;

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'The request is malformed; the message names the field.',
  401: 'No valid `Authorization: Bearer <token>` header (when authentication is on).',
  403: 'The token lacks the scope of the route.',
  404: 'Not stored.',
  409: 'async=false: a patch does not apply to the stored value.',
  412: 'async=false: If-Version-Match or a create condition failed.',
  413: 'The body is larger than MAX_REQUEST_BYTES, or an aspect value larger than MAX_ASPECT_BYTES.',
  415: 'The body is not of a media type this route takes.',
  429: 'async=true only, with backpressure on (BACKPRESSURE_MAX_LAG, BACKPRESSURE_MAX_WAIT_MS): the MCE consumer is past the bound the message names; nothing was queued. Retry after `Retry-After` seconds.',
  503: 'Kafka (or, for sync writes, MySQL) did not answer in time; nothing was written.',
};

/** A status, or a status and what it means on this route. */
export type ErrorResponse = ErrorStatus | [ErrorStatus, string];

/** The error answers of a route, each with the one JSON error schema (ApiError) and the traceparent header. */
export function ApiErrorResponses(...responses: ErrorResponse[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...responses.map((r) => {
      const [status, description] = Array.isArray(r) ? r : [r, DESCRIPTIONS[r]];
      return ApiResponse({
        status,
        description,
        type: ApiError,
        headers: status === 429 || status === 503 ? { ...TRACEPARENT_HEADER, ...RETRY_AFTER_HEADER } : TRACEPARENT_HEADER,
      });
    }),
  );
}
