import { err, ok, Result } from '@lib/common';

/** Every URN we accept starts with this; other namespaces are not DataHub entities. */
export const URN_PREFIX = 'urn:li:';

/** The `urn` column of metadata_aspect_v2 is varchar(500): a longer URN could never be stored. */
export const MAX_URN_LENGTH = 500;

/** Entity types are identifiers (`dataset`, `dataJob`, `corpuser`); they name indices and registry entries. */
const ENTITY_TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;

// C0 controls and DEL: invisible in logs and UIs, and never part of a legitimate key.
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;

export interface ParsedUrn {
  /** e.g. `dataset` */
  entityType: string;
  /** Everything after the entity type, as written: `jdoe` or `(urn:li:dataPlatform:hive,db.table,PROD)`. */
  id: string;
  /** The key's parts: the top-level tuple members, or the single simple key. */
  parts: string[];
}

/** A malformed URN: says what is wrong and, when it is one spot, where (0-based index into the input). */
export class UrnError extends Error {
  override readonly name = 'UrnError';

  constructor(
    readonly input: string,
    readonly reason: string,
    readonly position?: number,
  ) {
    super(`Invalid URN ${quote(input)}: ${reason}${position === undefined ? '' : ` (at index ${position})`}`);
  }
}

/**
 * Parses `urn:li:<entityType>:<key>` where the key is either a simple string or a parenthesised tuple,
 * possibly nesting other URNs: `urn:li:dataJob:(urn:li:dataFlow:(airflow,dag,PROD),task)`.
 * Quotes, `--`, `/*` and other punctuation are legal key characters: URNs reach SQL only as bound parameters.
 */
export function parseUrn(input: string): ParsedUrn {
  const parsed = parseUrnText(input);
  // MySQL compares with PAD SPACE: "a" and "a " would be one row. (Inside a tuple, spaces are just data.)
  if (input.trim() !== input) throw new UrnError(input, 'has leading or trailing whitespace');
  return parsed;
}

function parseUrnText(input: string): ParsedUrn {
  if (typeof input !== 'string') throw new UrnError(String(input), `expected a string, got ${typeof input}`);
  if (input.length === 0) throw new UrnError(input, 'is empty');
  const length = codePointLength(input);
  if (length > MAX_URN_LENGTH) {
    throw new UrnError(input, `is ${length} characters long; at most ${MAX_URN_LENGTH} are allowed`);
  }
  const control = CONTROL_CHAR.exec(input);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new UrnError(input, `contains the control character U+${code}`, control.index);
  }
  // Ill-formed UTF-16 (a lone surrogate) would be stored as U+FFFD, making distinct URNs one row.
  if (!(input as string & { isWellFormed(): boolean }).isWellFormed()) throw new UrnError(input, 'is not well-formed Unicode (a lone surrogate)');
  if (!input.startsWith(URN_PREFIX)) throw new UrnError(input, `must start with "${URN_PREFIX}"`, 0);

  const typeEnd = input.indexOf(':', URN_PREFIX.length);
  if (typeEnd < 0) throw new UrnError(input, 'has no ":" between the entity type and the key');
  const entityType = input.slice(URN_PREFIX.length, typeEnd);
  if (entityType === '') throw new UrnError(input, 'has an empty entity type', URN_PREFIX.length);
  if (!ENTITY_TYPE.test(entityType)) {
    throw new UrnError(input, `entity type "${entityType}" must be letters, digits or "_", starting with a letter`, URN_PREFIX.length);
  }

  const keyStart = typeEnd + 1;
  const id = input.slice(keyStart);
  if (id === '') throw new UrnError(input, 'has an empty key', keyStart);
  checkBalanced(input, keyStart);
  const parts = id.startsWith('(') ? tupleParts(input, keyStart) : [id];
  return { entityType, id, parts };
}

/** parseUrn as a Result: the parsed URN, or the UrnError saying what is wrong. Anything else thrown (a bug) escapes. */
export function tryParseUrn(input: string): Result<ParsedUrn, UrnError> {
  try {
    return ok(parseUrn(input));
  } catch (e) {
    if (e instanceof UrnError) return err(e);
    throw e;
  }
}

export function isUrn(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  try {
    parseUrn(input);
    return true;
  } catch {
    return false;
  }
}

/** The entity type of a valid URN; throws UrnError otherwise. */
export function entityTypeOf(urn: string): string {
  return parseUrn(urn).entityType;
}

/** Builds `urn:li:<type>:<part>` or, for several parts, `urn:li:<type>:(<a>,<b>,...)`; validates the result. */
export function buildUrn(entityType: string, parts: readonly string[]): string {
  const key = parts.length === 1 ? parts[0] : `(${parts.join(',')})`;
  const urn = `${URN_PREFIX}${entityType}:${key}`;
  parseUrn(urn);
  return urn;
}

function checkBalanced(input: string, from: number): void {
  const open: number[] = [];
  for (let i = from; i < input.length; i++) {
    if (input[i] === '(') open.push(i);
    else if (input[i] === ')' && open.pop() === undefined) {
      throw new UrnError(input, '")" has no matching "("', i);
    }
  }
  if (open.length > 0) throw new UrnError(input, '"(" is never closed', open[open.length - 1]);
}

/** Splits `(a,(b,c),d)` at its top-level commas. The key is known to be balanced. */
function tupleParts(input: string, keyStart: number): string[] {
  const parts: string[] = [];
  let depth = 0;
  let partStart = keyStart + 1;
  for (let i = keyStart; i < input.length; i++) {
    const c = input[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if ((c === ',' && depth === 1) || depth === 0) {
      parts.push(tuplePart(input, partStart, i));
      partStart = i + 1;
    }
    if (depth === 0) {
      if (i !== input.length - 1) {
        throw new UrnError(input, 'text follows the closing ")" of the key tuple', i + 1);
      }
      break;
    }
  }
  return parts;
}

function tuplePart(input: string, start: number, end: number): string {
  const part = input.slice(start, end);
  if (part === '') throw new UrnError(input, 'the key tuple has an empty part', start);
  // A part that is itself a URN (a dataset's platform, a job's flow) must be a valid one.
  if (part.startsWith(URN_PREFIX)) {
    try {
      parseUrnText(part);
    } catch (err) {
      if (!(err instanceof UrnError)) throw err;
      const at = err.position === undefined ? start : start + err.position;
      throw new UrnError(input, `nested URN ${quote(part)}: ${err.reason}`, at);
    }
  }
  return part;
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Quotes (and escapes) the input for a message, cut short so a 10 kB input does not flood the logs. */
function quote(s: string): string {
  const shown = s.length > 120 ? `${s.slice(0, 120)}...` : s;
  return JSON.stringify(shown);
}
