import { parsePointer, PointerSyntaxError } from './json-pointer';

/** The JSON Patch content type of a PATCH proposal's aspect, as in the reference. */
export const JSON_PATCH_CONTENT_TYPE = 'application/json-patch+json';

/** Separator of nested key fields in `arrayPrimaryKeys` (`attribution␟source` is element.attribution.source). */
export const KEY_PATH_SEPARATOR = '\u241f';

export const PATCH_OPS = ['add', 'remove', 'replace', 'copy', 'move', 'test'] as const;
export type PatchOpName = (typeof PATCH_OPS)[number];

/** One RFC 6902 operation as it travels (JSON). */
export interface JsonPatchOperationJson {
  op: PatchOpName;
  path: string;
  from?: string;
  value?: unknown;
}

/** A patch as it travels: bare operations, or DataHub's GenericJsonPatch envelope. */
export type JsonPatchJson =
  JsonPatchOperationJson[] | { patch: JsonPatchOperationJson[]; arrayPrimaryKeys?: Record<string, string[]>; forceGenericPatch?: boolean };

/** One RFC 6902 operation, with its pointers already parsed into tokens. */
export interface PatchOperation {
  op: PatchOpName;
  path: string[];
  from?: string[];
  value?: unknown;
}

/**
 * A patch as the reference's clients send it: RFC 6902 operations, and for some top-level arrays the fields
 * that identify an element (`{"tags": ["tag"]}`), so that `/tags/<tag urn>` addresses an element by its key
 * rather than by its position.
 */
export interface PatchDocument {
  operations: PatchOperation[];
  arrayPrimaryKeys: Record<string, string[]>;
}

/** A patch document that is malformed: the API answers 400, the consumer rejects the proposal. */
export class PatchSyntaxError extends Error {
  override name = 'PatchSyntaxError';
}

/** `[ops...]` or `{"patch": [ops...], "arrayPrimaryKeys"?: {...}, "forceGenericPatch"?: bool}`. */
export function parsePatchDocument(doc: unknown): PatchDocument {
  let ops: unknown;
  let keys: unknown = undefined;
  if (Array.isArray(doc)) {
    ops = doc;
  } else if (doc && typeof doc === 'object') {
    const { patch, arrayPrimaryKeys, forceGenericPatch, ...rest } = doc as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new PatchSyntaxError(`unexpected field ${unknown[0]} (expected patch, arrayPrimaryKeys, forceGenericPatch)`);
    if (forceGenericPatch !== undefined && typeof forceGenericPatch !== 'boolean') throw new PatchSyntaxError('forceGenericPatch must be a boolean');
    ops = patch;
    keys = arrayPrimaryKeys;
  } else {
    throw new PatchSyntaxError('a patch must be a JSON array of operations or an object {patch: [operations], arrayPrimaryKeys?}');
  }
  if (!Array.isArray(ops)) throw new PatchSyntaxError('patch must be a JSON array of operations');
  if (ops.length === 0) throw new PatchSyntaxError('patch must contain at least one operation');
  return { operations: ops.map((op, i) => parseOperation(op, `patch[${i}]`)), arrayPrimaryKeys: parseKeys(keys) };
}

function parseOperation(raw: unknown, at: string): PatchOperation {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PatchSyntaxError(`${at} must be an object {op, path, value?, from?}`);
  const { op, path, from, value } = raw as Record<string, unknown>;
  if (typeof op !== 'string' || !(PATCH_OPS as readonly string[]).includes(op))
    throw new PatchSyntaxError(`${at}.op must be one of ${PATCH_OPS.join(', ')}, not ${JSON.stringify(op)?.slice(0, 40)}`);
  const name = op as PatchOpName;
  const out: PatchOperation = { op: name, path: pointer(path, `${at}.path`) };
  if (name === 'copy' || name === 'move') out.from = pointer(from, `${at}.from`);
  if (name === 'add' || name === 'replace' || name === 'test') {
    if (value === undefined) throw new PatchSyntaxError(`${at}: ${name} needs a value`);
    out.value = value;
  }
  if (name === 'remove' && out.path.length === 0) throw new PatchSyntaxError(`${at}: cannot remove the whole aspect`);
  if (name === 'move' && isProperPrefix(out.from!, out.path)) throw new PatchSyntaxError(`${at}: cannot move a value into itself`);
  return out;
}

function isProperPrefix(prefix: string[], tokens: string[]): boolean {
  return prefix.length < tokens.length && prefix.every((t, i) => t === tokens[i]);
}

function pointer(raw: unknown, at: string): string[] {
  if (typeof raw !== 'string') throw new PatchSyntaxError(`${at} must be a string (a JSON Pointer)`);
  try {
    return parsePointer(raw);
  } catch (err) {
    if (err instanceof PointerSyntaxError) throw new PatchSyntaxError(`${at}: ${err.message}`);
    throw err;
  }
}

function parseKeys(raw: unknown): Record<string, string[]> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new PatchSyntaxError('arrayPrimaryKeys must be an object {<array field>: [<key field>, ...]}');
  const out: Record<string, string[]> = {};
  for (const [field, keys] of Object.entries(raw)) {
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k === '' || k.split(KEY_PATH_SEPARATOR).includes('')))
      throw new PatchSyntaxError(`arrayPrimaryKeys.${field} must be an array of non-empty field names`);
    out[field] = keys as string[];
  }
  return out;
}
