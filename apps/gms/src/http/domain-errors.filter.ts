import { ArgumentsHost, BadRequestException, Catch, HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { BaseExceptionFilter } from '@nestjs/core';
import { ProposalRejected } from '@lib/ingest';
import { UrnError } from '@lib/metadata';
import { TraceRequestError, TraceSaturated } from '@lib/trace';
import { DependencyUnavailable } from '../entity/outage';
import { WritesThrottled } from '../entity/backpressure';
import { DEPENDENCY_RETRY_AFTER_SECONDS } from './openapi';

/** The domain's errors this filter answers; anything else (an HttpException, or a bug: a 500) goes to Nest as it is. */
const DOMAIN_ERRORS = [ProposalRejected, TraceRequestError, UrnError, DependencyUnavailable, WritesThrottled, TraceSaturated] as const;

/**
 * The one place a domain error becomes an HTTP answer, in the JSON error shape of every other answer:
 *
 * | error                                                          | status                      |
 * | -------------------------------------------------------------- | --------------------------- |
 * | ProposalRejected (InvalidProposal, UnstorableProposal)         | its `status`: 400           |
 * | PatchNotApplicable                                             | 409                         |
 * | AspectVersionMismatch, a failed create condition               | 412                         |
 * | TraceRequestError, UrnError                                    | 400                         |
 * | DependencyUnavailable (Kafka, MySQL: see unavailableOnOutage)  | 503 with Retry-After (5 s)  |
 * | WritesThrottled (backpressure: the MCE consumer is behind)     | 429 with Retry-After        |
 * | TraceSaturated (every trace Kafka slot taken)                  | 503 with Retry-After        |
 *
 * A rejected proposal's body is `{statusCode, message, error: <its class name>}`; the others are Nest's
 * `{message, error, statusCode}`.
 */
@Catch(...DOMAIN_ERRORS)
export class DomainErrorsFilter extends BaseExceptionFilter {
  override catch(exception: Error, host: ArgumentsHost): void {
    const retryAfter =
      exception instanceof WritesThrottled || exception instanceof TraceSaturated
        ? exception.retryAfterSeconds
        : exception instanceof DependencyUnavailable
          ? DEPENDENCY_RETRY_AFTER_SECONDS
          : undefined;
    if (retryAfter !== undefined) host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    super.catch(httpExceptionOf(exception), host);
  }
}

/** The HTTP answer of a domain error (see DomainErrorsFilter); anything else is returned unchanged. */
export function httpExceptionOf(e: Error): Error {
  if (e instanceof ProposalRejected) return new HttpException({ statusCode: e.status, message: e.message, error: e.name }, e.status);
  if (e instanceof TraceRequestError || e instanceof UrnError) return new BadRequestException(e.message);
  if (e instanceof DependencyUnavailable) return new ServiceUnavailableException(e.message);
  if (e instanceof TraceSaturated) return new ServiceUnavailableException(e.message);
  if (e instanceof WritesThrottled)
    return new HttpException(
      { statusCode: 429, message: e.message, error: 'Too Many Requests', retryAfterSeconds: e.retryAfterSeconds },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  return e;
}
