import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { err, ok, Result } from '@lib/common';
import { JsonSchema, RegistryError } from './registry-file';
import { isUrn } from './urn';
import { describeErrors } from './validation-errors';

/** Nothing on success; on failure, every problem ajv found (allErrors), each a readable message. */
export type ValidationResult = Result<void, string[]>;

export type AspectValidator = (value: unknown) => ValidationResult;

/**
 * One ajv instance per registry. allErrors so a client sees every problem at once; strict off because
 * registry schemas may carry annotations ajv does not know. The `urn` format lets schemas require that
 * a field (owner, tag, actor ...) holds a URN that parses.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('urn', { type: 'string', validate: (s: string) => isUrn(s) });
  return ajv;
}

/** Compiles once, at registry load, so a broken schema stops start-up instead of failing the first write. */
export function compileAspectValidator(ajv: Ajv, aspectName: string, schema: JsonSchema, definitions: Record<string, JsonSchema> = {}): AspectValidator {
  const ownDefinitions = (schema.definitions ?? {}) as Record<string, JsonSchema>;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile({ ...schema, definitions: { ...definitions, ...ownDefinitions } });
  } catch (e) {
    throw new RegistryError(`aspect "${aspectName}": invalid schema: ${(e as Error).message}`);
  }
  return (value) => (validate(value) ? ok(undefined) : err(describeErrors(aspectName, validate.errors ?? [])));
}
