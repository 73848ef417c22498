import { ArgumentsHost, BadRequestException, Catch, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ProposalRejected } from '@lib/ingest';
import { UrnError } from '@lib/metadata';
import { TraceRequestError } from '@lib/trace';
import { DependencyUnavailable } from '../entity/outage';

/** The domain's errors this filter answers; anything else (an HttpException, or a bug: a 500) goes to Nest as it is. */
const DOMAIN_ERRORS = [ProposalRejected, TraceRequestError, UrnError, DependencyUnavailable] as const;

/**
 * The one place a domain error becomes an HTTP answer, in the JSON error shape of every other answer:
 *
 * | error                                                          | status                      |
 * | -------------------------------------------------------------- | --------------------------- |
 * | ProposalRejected (InvalidProposal, UnstorableProposal)         | its `status`: 400           |
 * | PatchNotApplicable                                             | 409                         |
 * | AspectVersionMismatch, a failed create condition               | 412                         |
 * | TraceRequestError, UrnError                                    | 400                         |
 * | DependencyUnavailable (Kafka, MySQL: see unavailableOnOutage)  | 503                         |
 *
 * A rejected proposal's body is `{statusCode, message, error: <its class name>}`; the others are Nest's
 * `{message, error, statusCode}`.
 */
@Catch(...DOMAIN_ERRORS)
export class DomainErrorsFilter extends BaseExceptionFilter {
  override catch(exception: Error, host: ArgumentsHost): void {
    super.catch(httpExceptionOf(exception), host);
  }
}

/** The HTTP answer of a domain error (see DomainErrorsFilter); anything else is returned unchanged. */
export function httpExceptionOf(e: Error): Error {
  if (e instanceof ProposalRejected) return new HttpException({ statusCode: e.status, message: e.message, error: e.name }, e.status);
  if (e instanceof TraceRequestError || e instanceof UrnError) return new BadRequestException(e.message);
  if (e instanceof DependencyUnavailable) return new ServiceUnavailableException(e.message);
  return e;
}
