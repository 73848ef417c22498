import { BadRequestException } from '@nestjs/common';

/** A boolean query parameter: absent -> the default; "true"/"false" (any case); anything else is a 400. */
export function queryFlag(name: string, raw: unknown, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  throw new BadRequestException(`query parameter ${name} must be true or false`);
}
