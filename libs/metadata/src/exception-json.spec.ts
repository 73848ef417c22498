import { MAX_STACK_LINES, exceptionToJson } from './exception-json';
import { FailedMetadataChangeProposal, MetadataChangeProposal } from './types';

class VersionMismatchError extends Error {}

class NamedError extends Error {
  override name = 'ValidationException';
}

describe('exceptionToJson', () => {
  it('describes an Error: message, class, trimmed frame lines', () => {
    const [json] = exceptionToJson(new Error('Expected version -10000, actual version -1'));
    expect(json.message).toBe('Expected version -10000, actual version -1');
    expect(json.exceptionClass).toBe('Error');
    expect(json.stackTrace.length).toBeGreaterThan(0);
    for (const line of json.stackTrace) expect(line).toMatch(/^at \S/);
    expect(json.cause).toBeUndefined();
  });

  it('returns a one-element array, the shape of the failed topic "error" field', () => {
    const result = exceptionToJson(new Error('x'));
    expect(result).toHaveLength(1);
  });

  it('uses the constructor name when a subclass did not set name, else name', () => {
    expect(exceptionToJson(new VersionMismatchError('v'))[0].exceptionClass).toBe('VersionMismatchError');
    expect(exceptionToJson(new NamedError('n'))[0].exceptionClass).toBe('ValidationException');
    expect(exceptionToJson(new TypeError('t'))[0].exceptionClass).toBe('TypeError');
  });

  it('keeps at most MAX_STACK_LINES frames and drops the header lines', () => {
    const err = new Error('deep');
    err.stack = ['Error: deep', '  second message line', ...Array.from({ length: 80 }, (_, i) => `    at f${i} (x.js:${i}:1)`)].join('\n');
    const [json] = exceptionToJson(err);
    expect(json.stackTrace).toHaveLength(MAX_STACK_LINES);
    expect(json.stackTrace[0]).toBe('at f0 (x.js:0:1)');
  });

  it('copes with a missing stack', () => {
    const err = new Error('no stack');
    err.stack = undefined;
    expect(exceptionToJson(err)[0].stackTrace).toEqual([]);
  });

  it('nests the cause chain', () => {
    const root = new Error('socket hang up');
    const mid = new Error('mysql write failed', { cause: root });
    const top = new VersionMismatchError('could not upsert', { cause: mid });
    const [json] = exceptionToJson(top);
    expect(json.message).toBe('could not upsert');
    expect(json.cause?.message).toBe('mysql write failed');
    expect(json.cause?.cause?.message).toBe('socket hang up');
    expect(json.cause?.cause?.cause).toBeUndefined();
  });

  it('describes a non-Error cause or thrown value', () => {
    expect(exceptionToJson(new Error('x', { cause: 'timeout' }))[0].cause).toEqual({
      message: 'timeout',
      exceptionClass: 'string',
      stackTrace: [],
    });
    expect(exceptionToJson({ code: 42 })[0]).toEqual({ message: '{"code":42}', exceptionClass: 'object', stackTrace: [] });
    expect(exceptionToJson(undefined)[0]).toEqual({ message: 'undefined', exceptionClass: 'undefined', stackTrace: [] });
    expect(exceptionToJson(10n)[0].message).toBe('10');
  });

  it('stops on cyclic causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    let depth = 0;
    for (let c = exceptionToJson(a)[0].cause; c; c = c.cause) depth++;
    expect(depth).toBeLessThanOrEqual(10);

    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect(exceptionToJson(self)[0].cause).toBeUndefined();
  });

  it('serialises into a FailedMetadataChangeProposal that reads back', () => {
    const mcp: MetadataChangeProposal = {
      entityType: 'dataset',
      entityUrn: 'urn:li:dataset:(urn:li:dataPlatform:hive,db.table,PROD)',
      changeType: 'UPSERT',
      aspectName: 'glossaryTerms',
      aspect: { value: '{"terms":[]}', contentType: 'application/json' },
      headers: { 'If-Version-Match': '-10000' },
    };
    const failed: FailedMetadataChangeProposal = {
      error: JSON.stringify(exceptionToJson(new Error('Expected version -10000, actual version -1'))),
      metadataChangeProposal: mcp,
    };
    const parsed = JSON.parse(JSON.stringify(failed)) as FailedMetadataChangeProposal;
    expect(JSON.parse(parsed.error)[0].message).toBe('Expected version -10000, actual version -1');
  });
});
