import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { parseTraceIdParam } from '@lib/telemetry';
import { MAX_TRACE_ID_PARAM_LENGTH } from '../http/openapi';

/** The `:traceId` path parameter (a trace id, or a whole traceparent) -> the 32-hex trace id, or a 400 saying why not. */
@Injectable()
export class TraceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length > MAX_TRACE_ID_PARAM_LENGTH) throw new BadRequestException(`Invalid trace id: longer than ${MAX_TRACE_ID_PARAM_LENGTH} characters.`);
    const parsed = parseTraceIdParam(value);
    if (!parsed.ok) throw new BadRequestException(parsed.error);
    return parsed.value;
  }
}
