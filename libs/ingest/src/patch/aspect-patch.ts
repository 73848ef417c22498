import { applyOperations, checkSize, cloneNode, PatchConflict, setOwn, toPlain } from './json-patch';
import { addressingOf, arrayToKeyed, keyedToArray } from './keyed-arrays';
import { PatchDocument } from './patch-document';

/**
 * The value of an aspect after a patch: `current` (the stored value, or the aspect's empty value) with the
 * patch's operations applied. Top-level arrays the patch touches and that are addressed by key (the patch's
 * `arrayPrimaryKeys`, else DEFAULT_ARRAY_KEYS) are turned into maps keyed by their elements' key fields, so
 * that `/tags/urn:li:tag:pii` is that tag's element, then turned back into arrays. Arrays the patch does not
 * touch are left exactly as they were. Pure; throws PatchConflict when the patch does not apply or makes a value
 * larger than `maxBytes` as JSON.
 */
export function applyAspectPatch(aspectName: string, patch: PatchDocument, current: unknown, maxBytes = Number.POSITIVE_INFINITY): unknown {
  if (typeof current !== 'object' || current === null || Array.isArray(current)) throw new PatchConflict(`the stored ${aspectName} is not an object`);
  const touched = new Set<string>();
  for (const op of patch.operations) {
    if (op.path.length > 0) touched.add(op.path[0]);
    if (op.from && op.from.length > 0) touched.add(op.from[0]);
  }
  const base = cloneNode(current) as Record<string, unknown>;
  const keyed = [...addressingOf(aspectName, patch.arrayPrimaryKeys)].filter(([field]) => touched.has(field));
  const existed = new Map<string, boolean>();
  for (const [field, addressing] of keyed) {
    const has = Object.prototype.hasOwnProperty.call(base, field);
    if (has && !Array.isArray(base[field])) continue;
    existed.set(field, has);
    setOwn(base, field, arrayToKeyed(base[field], addressing));
  }
  const patched = applyOperations(base, patch.operations, maxBytes);
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    checkSize(patched, maxBytes);
    return toPlain(patched);
  }
  const result = patched as Record<string, unknown>;
  for (const [field, addressing] of keyed) {
    if (!existed.has(field)) continue;
    if (!Object.prototype.hasOwnProperty.call(result, field)) {
      // The whole array was removed: as in the reference, it is left empty (it may be required).
      if (existed.get(field)) setOwn(result, field, []);
      continue;
    }
    const array = keyedToArray(result[field], addressing, field);
    if (array.length === 0 && !existed.get(field)) delete result[field];
    else setOwn(result, field, array);
  }
  const plain = toPlain(result);
  checkSize(plain, maxBytes);
  return plain;
}
