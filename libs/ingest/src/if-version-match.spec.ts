import { checkIfVersionMatch, expectedVersion } from './if-version-match';
import { AspectVersionMismatch, InvalidProposal } from './proposal-errors';

describe('If-Version-Match', () => {
  it('finds the header in any case', () => {
    expect(expectedVersion({ 'if-version-match': '3' })).toBe('3');
    expect(expectedVersion({ 'If-Version-Match': ' 3 ' })).toBe('3');
    expect(expectedVersion({})).toBeUndefined();
    expect(expectedVersion(undefined)).toBeUndefined();
  });

  it('passes when absent or equal', () => {
    expect(() => checkIfVersionMatch(undefined, 5)).not.toThrow();
    expect(() => checkIfVersionMatch({ 'If-Version-Match': '-1' }, -1)).not.toThrow();
    expect(() => checkIfVersionMatch({ 'If-Version-Match': '2' }, 2)).not.toThrow();
  });

  it('fails with the contract message when different', () => {
    expect(() => checkIfVersionMatch({ 'If-Version-Match': '-10000' }, -1)).toThrow(new AspectVersionMismatch('-10000', -1));
    expect(() => checkIfVersionMatch({ 'If-Version-Match': '-10000' }, -1)).toThrow('Expected version -10000, actual version -1');
    expect(() => checkIfVersionMatch({ 'If-Version-Match': '-10000' }, 1)).toThrow('Expected version -10000, actual version 1');
  });

  it('rejects a value that is not a whole number', () => {
    expect(() => checkIfVersionMatch({ 'If-Version-Match': 'abc' }, 1)).toThrow(InvalidProposal);
    expect(() => checkIfVersionMatch({ 'If-Version-Match': '1.5' }, 1)).toThrow(InvalidProposal);
  });
});
