import { MAX_URN_LENGTH, UrnError, buildUrn, entityTypeOf, isUrn, parseUrn } from './urn';

const HIVE_TABLE = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.table,PROD)';
const AIRFLOW_TASK = 'urn:li:dataJob:(urn:li:dataFlow:(airflow,dag,PROD),task)';

function urnError(input: string): UrnError {
  try {
    parseUrn(input);
  } catch (err) {
    if (err instanceof UrnError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseUrn accepts', () => {
  it.each([
    ['urn:li:corpuser:jdoe', 'corpuser', 'jdoe', ['jdoe']],
    [HIVE_TABLE, 'dataset', '(urn:li:dataPlatform:hive,db.table,PROD)', ['urn:li:dataPlatform:hive', 'db.table', 'PROD']],
    [AIRFLOW_TASK, 'dataJob', '(urn:li:dataFlow:(airflow,dag,PROD),task)', ['urn:li:dataFlow:(airflow,dag,PROD)', 'task']],
    ['urn:li:glossaryTerm:Classification.PII', 'glossaryTerm', 'Classification.PII', ['Classification.PII']],
    ['urn:li:tag:my tag', 'tag', 'my tag', ['my tag']],
    ['urn:li:corpuser:domain:user', 'corpuser', 'domain:user', ['domain:user']],
    ['urn:li:tag:foo(bar)', 'tag', 'foo(bar)', ['foo(bar)']],
    ['urn:li:tag:a,b', 'tag', 'a,b', ['a,b']],
    ['urn:li:dataset:(a,(b,c),d)', 'dataset', '(a,(b,c),d)', ['a', '(b,c)', 'd']],
    ['urn:li:tag:café ☕', 'tag', 'café ☕', ['café ☕']],
  ])('%s', (input, entityType, id, parts) => {
    expect(parseUrn(input)).toEqual({ entityType, id, parts });
  });

  it('quotes, semicolons and SQL comment markers inside a key (they only ever reach SQL as parameters)', () => {
    const key = `it's "quoted" -- not a comment /* nor this */; DROP TABLE x; #`;
    expect(parseUrn(`urn:li:tag:${key}`).parts).toEqual([key]);
    expect(parseUrn(`urn:li:dataset:(urn:li:dataPlatform:mysql,db.'t'--x,PROD)`).parts[1]).toBe(`db.'t'--x`);
  });

  it('exactly the maximum length, counted in characters not UTF-16 units', () => {
    const ascii = 'urn:li:corpuser:' + 'a'.repeat(MAX_URN_LENGTH - 16);
    expect(ascii).toHaveLength(MAX_URN_LENGTH);
    expect(isUrn(ascii)).toBe(true);
    const emoji = 'urn:li:tag:' + '😀'.repeat(MAX_URN_LENGTH - 11);
    expect(isUrn(emoji)).toBe(true);
  });
});

describe('parseUrn rejects', () => {
  it.each([
    ['', 'is empty', undefined],
    ['urn:li:dataset:(urn:li:dataPlatform:hive,db.table,PROD', '"(" is never closed', 15],
    ['urn:li:dataset:urn:li:dataPlatform:hive,db.table,PROD)', '")" has no matching "("', 53],
    ['urn:li:dataset:(a,(b,c)', '"(" is never closed', 15],
    ['URN:LI:dataset:x', 'must start with "urn:li:"', 0],
    ['urn:foo:dataset:x', 'must start with "urn:li:"', 0],
    ['dataset:x', 'must start with "urn:li:"', 0],
    [' urn:li:dataset:x', 'must start with "urn:li:"', 0],
    ['urn:li:dataset', 'has no ":" between the entity type and the key', undefined],
    ['urn:li::x', 'has an empty entity type', 7],
    ['urn:li:data set:x', 'entity type "data set" must be letters, digits or "_", starting with a letter', 7],
    ['urn:li:1dataset:x', 'entity type "1dataset" must be letters, digits or "_", starting with a letter', 7],
    ['urn:li:dataset:', 'has an empty key', 15],
    ['urn:li:dataset:()', 'the key tuple has an empty part', 16],
    ['urn:li:dataset:(a,,b)', 'the key tuple has an empty part', 18],
    ['urn:li:dataset:(a,b,)', 'the key tuple has an empty part', 20],
    ['urn:li:dataset:(,a)', 'the key tuple has an empty part', 16],
    ['urn:li:dataset:(a,b)c', 'text follows the closing ")" of the key tuple', 20],
    ['urn:li:dataset:(a)(b)', 'text follows the closing ")" of the key tuple', 18],
    ['urn:li:corpuser:a\nb', 'contains the control character U+000A', 17],
    ['urn:li:corpuser:a\tb', 'contains the control character U+0009', 17],
    ['urn:li:corpuser:\u0000', 'contains the control character U+0000', 16],
    ['urn:li:corpuser:a\u007f', 'contains the control character U+007F', 17],
  ])('%j: %s', (input, reason, position) => {
    const err = urnError(input);
    expect(err.reason).toBe(reason);
    expect(err.position).toBe(position);
    expect(err.input).toBe(input);
    expect(err.message).toContain(reason);
  });

  it('a nested URN that is itself malformed, pointing into it', () => {
    const input = 'urn:li:dataJob:(urn:li:dataFlow:(airflow,,PROD),task)';
    const err = urnError(input);
    expect(err.reason).toBe('nested URN "urn:li:dataFlow:(airflow,,PROD)": the key tuple has an empty part');
    expect(err.position).toBe(input.indexOf(',,') + 1);
  });

  it('one character over the maximum length', () => {
    const input = 'urn:li:corpuser:' + 'a'.repeat(MAX_URN_LENGTH - 15);
    expect(urnError(input).reason).toBe(`is ${MAX_URN_LENGTH + 1} characters long; at most ${MAX_URN_LENGTH} are allowed`);
  });

  it('a non-string', () => {
    expect(() => parseUrn(42 as unknown as string)).toThrow(UrnError);
    expect(isUrn(42)).toBe(false);
    expect(isUrn(undefined)).toBe(false);
  });

  it('keeps messages short for huge inputs', () => {
    const err = urnError('x'.repeat(10_000));
    expect(err.message.length).toBeLessThan(250);
    expect(err.message).toMatch(/^Invalid URN "x+\.\.\.": is 10000 characters long/);
  });
});

describe('helpers', () => {
  it('entityTypeOf returns the type, or throws UrnError', () => {
    expect(entityTypeOf(HIVE_TABLE)).toBe('dataset');
    expect(entityTypeOf(AIRFLOW_TASK)).toBe('dataJob');
    expect(() => entityTypeOf('nope')).toThrow(UrnError);
  });

  it('buildUrn writes one part bare and several as a tuple, and validates', () => {
    expect(buildUrn('corpuser', ['jdoe'])).toBe('urn:li:corpuser:jdoe');
    expect(buildUrn('dataset', ['urn:li:dataPlatform:hive', 'db.table', 'PROD'])).toBe(HIVE_TABLE);
    expect(() => buildUrn('dataset', ['a', '', 'b'])).toThrow(UrnError);
    expect(() => buildUrn('bad type', ['a'])).toThrow(UrnError);
  });
});

/**
 * Property-style checks over generated URNs (fast-check is not installed): a seeded generator, so a
 * failure reproduces, and each property checked on many cases.
 */
describe('properties', () => {
  const CASES = 500;

  function random(seed: number): () => number {
    // mulberry32
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // Key characters that may appear anywhere in a tuple part: no parentheses or commas.
  const PART_CHARS = `abcXYZ019_.-:/ '"*;#=@$%&+?!~é☕`;
  const TYPES = ['dataset', 'dataJob', 'corpuser', 'glossaryTerm', 'schemaField', 'tag', 'x1_y'];

  function generator(seed: number) {
    const next = random(seed);
    const int = (n: number) => Math.floor(next() * n);
    const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
    const word = () => Array.from({ length: 1 + int(12) }, () => pick([...PART_CHARS])).join('');
    const part = (depth: number): string => {
      const r = next();
      if (depth < 3 && r < 0.2) return `urn:li:${pick(TYPES)}:(${parts(depth + 1).join(',')})`;
      if (depth < 3 && r < 0.3) return `(${parts(depth + 1).join(',')})`;
      return word();
    };
    const parts = (depth: number) => Array.from({ length: 1 + int(4) }, () => part(depth));
    return { next, int, pick, word, parts };
  }

  function validUrns(seed: number): Array<{ urn: string; entityType: string; parts: string[] }> {
    const g = generator(seed);
    const out: Array<{ urn: string; entityType: string; parts: string[] }> = [];
    while (out.length < CASES) {
      const entityType = g.pick(TYPES);
      const parts = g.next() < 0.3 ? [g.word()] : [...g.parts(0), g.word()];
      const urn = buildUrnUnchecked(entityType, parts);
      if (urn.length <= MAX_URN_LENGTH && urn.trim() === urn) out.push({ urn, entityType, parts });
    }
    return out;
  }

  function buildUrnUnchecked(entityType: string, parts: string[]): string {
    return `urn:li:${entityType}:${parts.length === 1 ? parts[0] : `(${parts.join(',')})`}`;
  }

  it('rejects leading or trailing whitespace and lone surrogates (they would collide in MySQL)', () => {
    expect(() => parseUrn('urn:li:tag:k ')).toThrow('has leading or trailing whitespace');
    expect(() => parseUrn(' urn:li:tag:k')).toThrow(UrnError);
    expect(() => parseUrn('urn:li:tag:k\uD800')).toThrow('lone surrogate');
    expect(parseUrn('urn:li:dataset:(urn:li:dataPlatform:hive,a b,PROD)').parts).toEqual(['urn:li:dataPlatform:hive', 'a b', 'PROD']);
  });

  it('round-trips: parsing a built URN gives back its type and parts, and re-assembles to the input', () => {
    for (const { urn, entityType, parts } of validUrns(1)) {
      const parsed = parseUrn(urn);
      expect(parsed.entityType).toBe(entityType);
      expect(parsed.parts).toEqual(parts);
      expect(`urn:li:${parsed.entityType}:${parsed.id}`).toBe(urn);
      expect(buildUrn(parsed.entityType, parsed.parts)).toBe(urn);
    }
  });

  it('dropping any one parenthesis makes it unbalanced', () => {
    const g = generator(2);
    for (const { urn } of validUrns(2)) {
      const parens = [...urn].flatMap((c, i) => (c === '(' || c === ')' ? [i] : []));
      if (parens.length === 0) continue;
      const at = g.pick(parens);
      const broken = urn.slice(0, at) + urn.slice(at + 1);
      expect(urnError(broken).reason).toMatch(/never closed|no matching/);
    }
  });

  it('a control character anywhere is reported at its index', () => {
    const g = generator(3);
    for (const { urn } of validUrns(3)) {
      const at = g.int(urn.length + 1);
      const control = String.fromCharCode(g.pick([0, 7, 9, 10, 13, 27, 31, 127]));
      const err = urnError(urn.slice(0, at) + control + urn.slice(at));
      expect(err.position).toBe(at);
      expect(err.reason).toMatch(/^contains the control character/);
    }
  });

  it('any string either parses or fails with a UrnError, never anything else', () => {
    const g = generator(4);
    const alphabet = [...'urn:li:(),abc \u0000\n"\'-/*'];
    for (let i = 0; i < CASES * 4; i++) {
      const prefix = g.next() < 0.7 ? 'urn:li:' : '';
      const s = prefix + Array.from({ length: g.int(30) }, () => g.pick(alphabet)).join('');
      try {
        const parsed = parseUrn(s);
        expect(s.startsWith(`urn:li:${parsed.entityType}:`)).toBe(true);
        expect(parsed.parts.every((p) => p.length > 0)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(UrnError);
      }
    }
  });
});
