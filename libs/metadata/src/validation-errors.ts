import type { ErrorObject } from 'ajv';

/**
 * Turns ajv errors into sentences naming the field, e.g. `status.removed must be boolean` or
 * `glossaryTerms.auditStamp is required`: clients see these in 400 answers and in the failed topic.
 */
export function describeErrors(aspectName: string, errors: readonly ErrorObject[]): string[] {
  const messages = errors.map((e) => describeError(aspectName, e));
  return [...new Set(messages)];
}

function describeError(aspectName: string, e: ErrorObject): string {
  const at = fieldPath(aspectName, e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${child(at, String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `${at} has unknown field "${String(params.additionalProperty)}"`;
    case 'enum':
      return `${at} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${at} must be ${[params.type].flat().join(' or ')}`;
    default:
      return `${at} ${e.message ?? 'is invalid'}`;
  }
}

/** `/owners/0/owner` -> `ownership.owners[0].owner`; keys that are not identifiers are bracketed. */
function fieldPath(root: string, instancePath: string): string {
  if (instancePath === '') return root;
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(child, root);
}

function child(path: string, key: string): string {
  if (/^\d+$/.test(key)) return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
