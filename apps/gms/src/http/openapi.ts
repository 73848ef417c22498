import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { HeadersObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { MAX_URN_LENGTH } from '@lib/metadata';

/**
 * The OpenAPI rules every route shares, in one place: the one JSON error schema (ApiError) and the error answers
 * that carry it (ApiErrorResponses), the path parameters' schemas (ApiEntityNameParam, ApiUrnParam,
 * ApiAspectNameParam, ApiTraceIdParam), and success answers with a JSON schema (ApiJsonResponse). What the
 * document can only know at run time - the registry's entity types and aspect names, the headers the middleware
 * puts on every answer - completeOpenApiDocument (openapi-document.ts) adds.
 */

/** Retry-After of a 503 DependencyUnavailable (Kafka or MySQL did not answer): the time a short outage takes to pass. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** A 429's and a 503's advice: when to try again (whole seconds). */
const RETRY_AFTER_HEADER = (description: string): HeadersObject => ({
  'Retry-After': { description, required: true, schema: { type: 'integer', minimum: 1, maximum: 60, example: 3 } },
});

/** The one JSON shape of every error answer (Nest's, and DomainErrorsFilter's). */
export class ApiError {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400, description: 'The HTTP status, again.' })
  readonly statusCode!: number;
  @ApiProperty({ type: 'string', minLength: 1, example: 'body[0].urn must be a non-empty string', description: 'What was wrong, naming the field.' })
  readonly message!: string;
  @ApiPropertyOptional({
    type: 'string',
    example: 'Bad Request',
    description: "The status's reason phrase, or the class of a rejected proposal (InvalidProposal, AspectVersionMismatch...).",
  })
  readonly error?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 60, example: 3, description: '429 only: the Retry-After header, again.' })
  readonly retryAfterSeconds?: number;
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
  503: 'Kafka (or, for sync writes and reads, MySQL or OpenSearch) did not answer in time; nothing was written. Retry after `Retry-After` seconds.',
};

const ERROR_HEADERS: Partial<Record<ErrorStatus, HeadersObject>> = {
  429: RETRY_AFTER_HEADER('Seconds to wait: the time the MCE consumer needs, at its recent rate, to get back under the bound (1-60).'),
  503: RETRY_AFTER_HEADER(
    `Seconds to wait before retrying (${DEPENDENCY_RETRY_AFTER_SECONDS} after a dependency outage; 1 when a trace found every Kafka slot taken).`,
  ),
};

/** A status, or a status and what it means on this route. */
export type ErrorResponse = ErrorStatus | [ErrorStatus, string];

/** The error answers of a route, each with the one JSON error schema (ApiError); 429 and 503 with Retry-After. */
export function ApiErrorResponses(...responses: ErrorResponse[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...responses.map((r) => {
      const [status, description] = Array.isArray(r) ? r : [r, DESCRIPTIONS[r]];
      return ApiResponse({ status, description, type: ApiError, ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}) });
    }),
  );
}

/** A success answer with a JSON body of this schema (and, optionally, named examples). */
export function ApiJsonResponse(
  status: number,
  description: string,
  schema: object,
  examples?: Record<string, { summary?: string; value: unknown }>,
): MethodDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema, ...(examples ? { examples } : {}) } } });
}

/**
 * A URN as the service accepts one (libs/metadata/src/urn.ts), as far as a regular expression can say it:
 * `urn:li:<entityType>:<key>`, no C0 control character or DEL, no trailing whitespace (JavaScript's, spelled out so
 * that every regex engine reads it alike), at most MAX_URN_LENGTH characters. Balanced parentheses and a known
 * entity type are checked by the service too (a 400); completeOpenApiDocument narrows `<entityType>` to the registry's.
 */
const CONTROL = '\\u0000-\\u001f\\u007f';
const JS_WHITESPACE = ' \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** What String.prototype.trim removes: JavaScript's whitespace and line terminators. */
const TRIMMED = `[\\t\\n\\u000b\\f\\r${JS_WHITESPACE}]*`;
export function urnPattern(entityTypes = '[A-Za-z][A-Za-z0-9_]*'): string {
  return `^urn:li:${entityTypes}:[^${CONTROL}]*[^${CONTROL}${JS_WHITESPACE}]$`;
}

export const URN_EXAMPLE = 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)';

/** A URN schema (a path parameter, a body field). */
export const URN_SCHEMA = { type: 'string', minLength: 9, maxLength: MAX_URN_LENGTH, pattern: urnPattern() };

// The path parameters' examples are in their schemas: Nest drops a parameter's `example` when it has a `schema`.

/** `{entityName}`: an entity type of the registry (its enum: completeOpenApiDocument). */
export const ApiEntityNameParam = (): MethodDecorator =>
  ApiParam({ name: 'entityName', description: 'An entity type of the entity registry.', schema: { type: 'string', maxLength: 100, example: 'dataset' } });

/** `{urn}`: a URN, URL-encoded; of the `{entityName}` type where the route has one. */
export const ApiUrnParam = (example = URN_EXAMPLE): MethodDecorator =>
  ApiParam({
    name: 'urn',
    description: 'The URN, URL-encoded. Where the route names an entity type, a URN of that type (else a 400).',
    schema: { ...URN_SCHEMA, example },
  });

/** `{aspectName}`: an aspect of the registry (its enum: completeOpenApiDocument); of the `{entityName}` type. */
export const ApiAspectNameParam = (example = 'status'): MethodDecorator =>
  ApiParam({ name: 'aspectName', description: 'An aspect of the entity type (else a 400).', schema: { type: 'string', maxLength: 100, example } });

/** A trace id (32 hex, not all zero) or a whole traceparent value; either in any case, surrounding whitespace ignored. */
const TRACE_ID = '(?!0{32})[0-9A-Fa-f]{32}';
export const TRACE_ID_PATTERN = `^${TRIMMED}(${TRACE_ID}|[0-9A-Fa-f]{2}-${TRACE_ID}-[0-9A-Fa-f]{16}-[0-9A-Fa-f]{2}(-[\\s\\S]*)?)${TRIMMED}$`;

/** The longest `{traceId}` taken (a traceparent is 55 characters; later versions may append fields). */
export const MAX_TRACE_ID_PARAM_LENGTH = 512;

/** `{traceId}`: a trace id or a whole traceparent header value. */
export const ApiTraceIdParam = (): MethodDecorator =>
  ApiParam({
    name: 'traceId',
    description: 'A trace id (32 hex, not all zero) or a whole traceparent header value.',
    schema: { type: 'string', maxLength: MAX_TRACE_ID_PARAM_LENGTH, pattern: TRACE_ID_PATTERN, example: '00062c53a468cbd8077e7dd079846870' },
  });

/** The If-Version-Match header: a whole number, -1 for "must not exist" (checkVersionHeaderFormat). No example: any one would fail the examples that try it. */
export const IF_VERSION_MATCH_SCHEMA = { type: 'string', pattern: '^-?[0-9]{1,18}$' };
