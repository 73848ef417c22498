import { applyDecorators, ArgumentMetadata, BadRequestException, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

const TRUE_OR_FALSE = /^(true|false)$/i;

/**
 * A boolean query parameter of a query DTO: absent or empty -> the property's initial value (its default);
 * "true"/"false" in any case; anything else (`1`, `yes`, a repeated parameter) is a 400
 * `query parameter <name> must be true or false`.
 */
export function QueryFlag(defaultValue: boolean, description?: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Boolean, default: defaultValue, ...(description ? { description } : {}) }),
    IsBoolean({ message: ({ property }) => `query parameter ${property} must be true or false` }),
    Transform(({ value }: { value: unknown }) => {
      if (value === undefined || value === '') return undefined;
      return typeof value === 'string' && TRUE_OR_FALSE.test(value) ? value.toLowerCase() === 'true' : value;
    }),
  );
}

/**
 * A whole-number query parameter within [min, max] (absent -> the property's initial value; `defaultValue` is what
 * the API description shows, undefined when the server decides). Not a whole number
 * (`abc`, `1.5`, `1e3`, empty, repeated) is a 400 `Validation failed (numeric string is expected)`, as Nest's
 * ParseIntPipe says; out of range is a 400 `<name> must be a whole number from <min> to <max>, not <n>`.
 */
export function QueryInt(defaultValue: number | undefined, min: number, max: number, description?: string): PropertyDecorator {
  const range = {
    message: ({ property, value }: { property: string; value: unknown }) => `${property} must be a whole number from ${min} to ${max}, not ${String(value)}`,
  };
  // applyDecorators registers them in this order, and the first failing check is the one reported: IsInt first.
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
      minimum: min,
      maximum: max,
      ...(description ? { description } : {}),
    }),
    Transform(({ value }: { value: unknown }) => (isIntegerText(value) ? parseInt(value, 10) : value)),
    // No default: absent stays undefined (the server decides).
    ...(defaultValue === undefined ? [IsOptional()] : []),
    IsInt({ message: 'Validation failed (numeric string is expected)' }),
    Min(min, range),
    Max(max, range),
  );
}

/** What ParseIntPipe accepts. */
function isIntegerText(value: unknown): value is string {
  return typeof value === 'string' && /^-?\d+$/.test(value) && Number.isFinite(Number(value));
}

/** The first message of the first failing property: one error, in the order the DTO declares its properties. */
function firstMessage(errors: ValidationError[]): BadRequestException {
  const constraints = errors[0]?.constraints ?? {};
  return new BadRequestException(Object.values(constraints)[0] ?? 'invalid query parameters');
}

/**
 * Validates and converts a route's whole query (`@Query() query: SomeQuery`, SomeQuery a class of QueryFlag /
 * QueryInt properties) with class-validator and class-transformer. Every other argument - bodies, path
 * parameters, single named query values, headers - passes through untouched, so installing this pipe
 * globally changes nothing but the query DTOs.
 */
@Injectable()
export class QueryDtoPipe implements PipeTransform {
  private readonly validation = new ValidationPipe({
    transform: true,
    // An empty flag transforms to undefined: keep the property's initial value (its default) then.
    transformOptions: { exposeUnsetFields: false },
    stopAtFirstError: true,
    // Parameters the DTO does not declare are ignored, as always; they are not copied into it.
    whitelist: true,
    exceptionFactory: firstMessage,
  });

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return isQueryDto(metadata) ? this.validation.transform(value, metadata) : value;
  }
}

function isQueryDto({ type, data, metatype }: ArgumentMetadata): boolean {
  return type === 'query' && data === undefined && typeof metatype === 'function' && ![Object, String, Number, Boolean, Array].includes(metatype as never);
}
