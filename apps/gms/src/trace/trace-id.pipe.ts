import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { parseTraceIdParam } from '@lib/telemetry';

/** The `:traceId` path parameter (a trace id, or a whole traceparent) -> the 32-hex trace id, or a 400 saying why not. */
@Injectable()
export class TraceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const parsed = parseTraceIdParam(value);
    if (!parsed.ok) throw new BadRequestException(parsed.error);
    return parsed.value;
  }
}
