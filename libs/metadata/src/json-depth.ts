/** Deepest nesting accepted in an aspect value: far beyond any real aspect, far below what breaks a parser. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` nests objects/arrays deeper than `limit`. Iterative, so a hostile 100,000-deep
 * value is measured without overflowing the stack (JSON.stringify, canonical comparison and
 * OpenSearch all recurse, and would fail later - after the write was accepted).
 */
export function exceedsDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
