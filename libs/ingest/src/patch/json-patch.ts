import { canonicalJson } from '../canonical-json';
import { formatPointer } from './json-pointer';
import { PatchOperation } from './patch-document';

/**
 * An array addressed by its elements' keys during a patch: an ordered map (insertion order, also for keys that
 * look like numbers, which a plain object would move to the front). Nested key levels are nested KeyedMaps.
 */
export class KeyedMap {
  readonly entries = new Map<string, Node>();
}

export type Node = unknown;

/** The patch cannot be applied to this value (a failed `test`, a missing path, a type mismatch). */
export class PatchConflict extends Error {
  override name = 'PatchConflict';
}

type Container = Record<string, Node> | Node[] | KeyedMap;

const isObject = (v: Node): v is Record<string, Node> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof KeyedMap);
const isContainer = (v: Node): v is Container => typeof v === 'object' && v !== null;

/** A deep copy (KeyedMaps included) that never goes through a prototype setter. */
export function cloneNode(v: Node): Node {
  if (Array.isArray(v)) return v.map(cloneNode);
  if (v instanceof KeyedMap) {
    const m = new KeyedMap();
    for (const [k, c] of v.entries) m.entries.set(k, cloneNode(c));
    return m;
  }
  if (isObject(v)) {
    const o: Record<string, Node> = {};
    for (const [k, c] of Object.entries(v)) setOwn(o, k, cloneNode(c));
    return o;
  }
  return v;
}

/** Plain JSON again: KeyedMaps become objects. */
export function toPlain(v: Node): unknown {
  if (v instanceof KeyedMap) {
    const o: Record<string, unknown> = {};
    for (const [k, c] of v.entries) setOwn(o, k, toPlain(c));
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (isObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) setOwn(o, k, toPlain(c));
    return o;
  }
  return v;
}

export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Applies RFC 6902 operations, in order, to a copy of `doc` and returns the result; the input is not changed.
 * As in the reference: `add`, `replace`, `copy` and `move` create missing intermediate object members (a tag is
 * added to a value that has no tags yet), and `remove` of a path that does not exist changes nothing (removing a
 * tag that is not there is not an error). Everything else is RFC 6902: `test` compares JSON values, `-` appends
 * to an array, array indexes must exist (or equal the length, for `add`), `replace` needs an existing target.
 */
export function applyOperations(doc: Node, operations: readonly PatchOperation[], maxBytes = Number.POSITIVE_INFINITY): Node {
  let root = cloneNode(doc);
  for (const op of operations) {
    const at = formatPointer(op.path);
    switch (op.op) {
      case 'add':
        root = add(root, op.path, cloneNode(op.value));
        break;
      case 'remove':
        remove(root, op.path);
        break;
      case 'replace':
        if (!exists(root, op.path)) throw new PatchConflict(`replace: ${at} does not exist`);
        root = replace(root, op.path, cloneNode(op.value));
        break;
      case 'test': {
        const found = lookup(root, op.path);
        if (found === undefined) throw new PatchConflict(`test: ${at} does not exist`);
        if (canonicalJson(toPlain(found.value)) !== canonicalJson(op.value))
          throw new PatchConflict(`test failed at ${at}: expected ${clip(canonicalJson(op.value))}, found ${clip(canonicalJson(toPlain(found.value)))}`);
        break;
      }
      case 'copy':
      case 'move': {
        const from = lookup(root, op.from!);
        if (from === undefined) throw new PatchConflict(`${op.op}: ${formatPointer(op.from!)} does not exist`);
        const value = cloneNode(from.value);
        if (op.op === 'move') remove(root, op.from!);
        root = add(root, op.path, value);
        // copy is the one operation that can grow a value beyond what the patch itself carries (doubling it each time).
        if (op.op === 'copy') checkSize(root, maxBytes);
        break;
      }
    }
  }
  return root;
}

/** Throws when the value, as JSON, is larger than `maxBytes`. */
export function checkSize(root: Node, maxBytes: number): void {
  if (!Number.isFinite(maxBytes)) return;
  const bytes = Buffer.byteLength(JSON.stringify(toPlain(root)) ?? '');
  if (bytes > maxBytes) throw new PatchConflict(`the patched value is too large: ${bytes} bytes as JSON, at most ${maxBytes}`);
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}...` : s);

function lookup(root: Node, path: readonly string[]): { value: Node } | undefined {
  let cur = root;
  for (const token of path) {
    const next = child(cur, token);
    if (next === undefined) return undefined;
    cur = next.value;
  }
  return { value: cur };
}

const exists = (root: Node, path: readonly string[]) => lookup(root, path) !== undefined;

function child(c: Node, token: string): { value: Node } | undefined {
  if (c instanceof KeyedMap) return c.entries.has(token) ? { value: c.entries.get(token) } : undefined;
  if (Array.isArray(c)) {
    const i = arrayIndex(token);
    return i !== undefined && i < c.length ? { value: c[i] } : undefined;
  }
  if (isObject(c)) return Object.prototype.hasOwnProperty.call(c, token) ? { value: c[token] } : undefined;
  return undefined;
}

function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9]\d{0,8})$/.test(token) ? Number(token) : undefined;
}

/** The container holding the last token of `path`, creating missing object members on the way. */
function parentFor(root: Node, path: readonly string[]): Container {
  let cur = root;
  for (let i = 0; i < path.length - 1; i++) {
    const token = path[i];
    const next = child(cur, token);
    if (next !== undefined) {
      cur = next.value;
      continue;
    }
    const at = formatPointer(path.slice(0, i + 1));
    if (cur instanceof KeyedMap) {
      const made = new KeyedMap();
      cur.entries.set(token, made);
      cur = made;
    } else if (isObject(cur)) {
      const made: Record<string, Node> = {};
      setOwn(cur, token, made);
      cur = made;
    } else if (Array.isArray(cur)) {
      throw new PatchConflict(`${at} does not exist (array index out of range or not a number)`);
    } else {
      throw new PatchConflict(`${formatPointer(path.slice(0, i))} is not an object or array`);
    }
  }
  if (!isContainer(cur)) throw new PatchConflict(`${formatPointer(path.slice(0, -1))} is not an object or array`);
  return cur;
}

function add(root: Node, path: readonly string[], value: Node): Node {
  if (path.length === 0) return value;
  const parent = parentFor(root, path);
  const token = path[path.length - 1];
  if (Array.isArray(parent)) {
    const i = token === '-' ? parent.length : arrayIndex(token);
    if (i === undefined || i > parent.length) throw new PatchConflict(`add: ${formatPointer(path)} is not a valid array position (length ${parent.length})`);
    parent.splice(i, 0, value);
  } else if (parent instanceof KeyedMap) {
    parent.entries.set(token, value);
  } else {
    setOwn(parent, token, value);
  }
  return root;
}

/** Replaces an existing value (an array element in place, where `add` would insert). */
function replace(root: Node, path: readonly string[], value: Node): Node {
  if (path.length === 0) return value;
  const parent = parentFor(root, path);
  if (Array.isArray(parent)) {
    parent[arrayIndex(path[path.length - 1])!] = value;
    return root;
  }
  return add(root, path, value);
}

function remove(root: Node, path: readonly string[]): void {
  const parent = lookup(root, path.slice(0, -1));
  if (parent === undefined || !isContainer(parent.value)) return;
  const c = parent.value;
  const token = path[path.length - 1];
  if (Array.isArray(c)) {
    const i = arrayIndex(token);
    if (i !== undefined && i < c.length) c.splice(i, 1);
  } else if (c instanceof KeyedMap) {
    c.entries.delete(token);
  } else {
    delete c[token];
  }
}
