import { cloneNode, KeyedMap, Node, PatchConflict, setOwn, toPlain } from './json-patch';
import { KEY_PATH_SEPARATOR } from './patch-document';

/**
 * Key fields of the arrays the reference's patch templates address by key when a patch names none
 * (`arrayPrimaryKeys` in the patch wins for its fields). A string array with no key fields is addressed by the
 * strings themselves (`/domains/<urn>`).
 */
export const DEFAULT_ARRAY_KEYS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  globalTags: { tags: ['tag'] },
  glossaryTerms: { terms: ['urn'] },
  ownership: { owners: ['owner', 'type'] },
  upstreamLineage: { upstreams: ['dataset'] },
  domains: { domains: [] },
  institutionalMemory: { elements: ['url'] },
};

/** upstreamLineage.fineGrainedLineages: `/fineGrainedLineages/<transformOperation>/<downstream>/<query>/<upstream>`. */
export const FINE_GRAINED_FIELD = 'fineGrainedLineages';
const NONE = 'NONE';

/** How one top-level array of an aspect is addressed during a patch. */
export type ArrayAddressing = { kind: 'keys'; keys: readonly string[] } | { kind: 'fineGrained' };

export function addressingOf(aspectName: string, arrayPrimaryKeys: Record<string, string[]>): Map<string, ArrayAddressing> {
  const out = new Map<string, ArrayAddressing>();
  const defaults = Object.prototype.hasOwnProperty.call(DEFAULT_ARRAY_KEYS, aspectName) ? DEFAULT_ARRAY_KEYS[aspectName] : {};
  for (const [field, keys] of Object.entries(defaults)) out.set(field, { kind: 'keys', keys });
  if (aspectName === 'upstreamLineage') out.set(FINE_GRAINED_FIELD, { kind: 'fineGrained' });
  for (const [field, keys] of Object.entries(arrayPrimaryKeys)) out.set(field, { kind: 'keys', keys });
  return out;
}

/** The value of one key field of an element; nested fields are joined with U+241F. Missing or not a scalar: "". */
function keyOf(element: Node, keyField: string): string {
  let cur: Node = element;
  for (const part of keyField.split(KEY_PATH_SEPARATOR)) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return '';
    cur = Object.prototype.hasOwnProperty.call(cur, part) ? (cur as Record<string, Node>)[part] : undefined;
  }
  return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : '';
}

/** An array as nested maps keyed by its elements' key fields; elements with the same keys are merged, the later one's fields winning. */
export function arrayToKeyed(array: Node, addressing: ArrayAddressing): KeyedMap {
  const root = new KeyedMap();
  if (!Array.isArray(array)) return root;
  if (addressing.kind === 'fineGrained') return fineGrainedToKeyed(array);
  for (const element of array) {
    if (addressing.keys.length === 0) {
      root.entries.set(keyOf({ v: element }, 'v'), cloneNode(element));
      continue;
    }
    let level = root;
    addressing.keys.forEach((field, i) => {
      const key = keyOf(element, field);
      if (i === addressing.keys.length - 1) {
        const existing = level.entries.get(key);
        level.entries.set(key, mergeElements(existing, element));
      } else {
        level = childLevel(level, key);
      }
    });
  }
  return root;
}

/** Two elements with the same keys become one, the later one's fields winning (a shallow merge, as the reference does). */
function mergeElements(earlier: Node, later: Node): Node {
  const isPlain = (v: Node): v is Record<string, Node> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof KeyedMap);
  if (!isPlain(earlier) || !isPlain(later)) return cloneNode(later);
  const merged = cloneNode(earlier) as Record<string, Node>;
  for (const [k, v] of Object.entries(later)) setOwn(merged, k, cloneNode(v));
  return merged;
}

/** Back to an array, in key order as first seen; a key field that lived only in the path is put back into its element. */
export function keyedToArray(node: Node, addressing: ArrayAddressing, field: string): unknown[] {
  if (Array.isArray(node)) return node.map(toPlain); // replaced wholesale
  if (addressing.kind === 'fineGrained') return keyedToFineGrained(node, field);
  if (addressing.keys.length === 0) return node instanceof KeyedMap ? [...node.entries.values()].map(toPlain) : [toPlain(node)];
  return flatten(node, addressing.keys, field);
}

function flatten(node: Node, keys: readonly string[], at: string): unknown[] {
  if (keys.length === 0) return Array.isArray(node) ? node.map(toPlain) : [toPlain(node)];
  const [field, ...rest] = keys;
  const out: unknown[] = [];
  const entries: [string, Node][] | undefined =
    node instanceof KeyedMap ? [...node.entries] : typeof node === 'object' && node !== null && !Array.isArray(node) ? Object.entries(node) : undefined;
  if (entries) {
    for (const [key, child] of entries) {
      const elements = flatten(child, rest, `${at}/${key}`);
      if (key !== '' && !field.includes(KEY_PATH_SEPARATOR)) {
        for (const e of elements)
          if (typeof e === 'object' && e !== null && !Array.isArray(e) && !(field in e)) setOwn(e as Record<string, unknown>, field, key);
      }
      out.push(...elements);
    }
  } else if (Array.isArray(node)) {
    for (const child of node) out.push(...flatten(child, rest, at));
  } else {
    throw new PatchConflict(`${at}: ${JSON.stringify(node)?.slice(0, 80)} is not an element or a map of elements keyed by ${keys.join(', ')}`);
  }
  return out;
}

function childLevel(m: KeyedMap, key: string): KeyedMap {
  const existing = m.entries.get(key);
  if (existing instanceof KeyedMap) return existing;
  const made = new KeyedMap();
  m.entries.set(key, made);
  return made;
}

function fineGrainedToKeyed(lineages: Node[]): KeyedMap {
  const root = new KeyedMap();
  const level = childLevel;
  for (const raw of lineages) {
    const l = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const downstreams = Array.isArray(l.downstreams) ? l.downstreams : [];
    if (downstreams.length !== 1)
      throw new PatchConflict(
        'fineGrainedLineages: a lineage with other than exactly one downstream cannot be patched by key (patches are keyed on the downstream)',
      );
    const upstreams = Array.isArray(l.upstreams) ? l.upstreams.map(String) : [];
    const upstreamType = typeof l.upstreamType === 'string' ? l.upstreamType : upstreams[0]?.startsWith('urn:li:dataset:') ? 'DATASET' : 'FIELD_SET';
    const query = level(
      level(level(root, typeof l.transformOperation === 'string' ? l.transformOperation : NONE), String(downstreams[0])),
      typeof l.query === 'string' ? l.query : NONE,
    );
    for (const u of upstreams) {
      query.entries.set(u, {
        confidenceScore: typeof l.confidenceScore === 'number' ? l.confidenceScore : 1,
        upstreamType,
        downstreamType: typeof l.downstreamType === 'string' ? l.downstreamType : 'FIELD',
      });
    }
  }
  return root;
}

function keyedToFineGrained(node: Node, field: string): unknown[] {
  const entries = (n: Node, at: string): [string, Node][] => {
    if (n instanceof KeyedMap) return [...n.entries];
    if (typeof n === 'object' && n !== null && !Array.isArray(n)) return Object.entries(n);
    throw new PatchConflict(`${at}: expected /<transformOperation>/<downstream>/<query>/<upstream>`);
  };
  const out: unknown[] = [];
  for (const [operation, byDownstream] of entries(node, `/${field}`)) {
    for (const [downstream, byQuery] of entries(byDownstream, `/${field}/${operation}`)) {
      for (const [query, byUpstream] of entries(byQuery, `/${field}/${operation}/${downstream}`)) {
        const ups = entries(byUpstream, `/${field}/${operation}/${downstream}/${query}`);
        if (ups.length === 0) continue;
        let confidenceScore = 1;
        let upstreamType = 'FIELD_SET';
        let downstreamType = 'FIELD';
        for (const [, v] of ups) {
          const u = (typeof v === 'object' && v !== null ? toPlain(v) : {}) as Record<string, unknown>;
          if (typeof u.confidenceScore === 'number' && u.confidenceScore <= confidenceScore) confidenceScore = u.confidenceScore;
          if (typeof u.upstreamType === 'string') upstreamType = u.upstreamType;
          if (typeof u.downstreamType === 'string') downstreamType = u.downstreamType;
        }
        out.push({
          upstreamType,
          upstreams: ups.map(([u]) => u),
          downstreamType,
          downstreams: [downstream],
          transformOperation: operation,
          confidenceScore,
          ...(query !== '' && query !== NONE ? { query } : {}),
        });
      }
    }
  }
  return out;
}
