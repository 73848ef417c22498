import { ProposalRejected } from './proposal-errors';

/** Headers the single-aspect route sets for its createIfNotExists / createIfEntityNotExists flags. */
export const CREATE_IF_NOT_EXISTS = 'X-Create-If-Not-Exists';
export const CREATE_IF_ENTITY_NOT_EXISTS = 'X-Create-If-Entity-Not-Exists';

function flag(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = headers && Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : String(headers![key]).toLowerCase();
}

/** Whether checking these headers needs to know if the entity exists (so the writer reads that up front). */
export function needsEntityCheck(headers: Record<string, string> | undefined): boolean {
  return flag(headers, CREATE_IF_ENTITY_NOT_EXISTS) === 'true';
}

/**
 * createIfNotExists=false: only update an aspect that exists. createIfEntityNotExists=true: only
 * write when the entity has no aspect yet. Both are preconditions, so a failure is a 412.
 */
export function checkCreateConditions(headers: Record<string, string> | undefined, aspectExists: boolean, entityExists: () => boolean): void {
  if (flag(headers, CREATE_IF_NOT_EXISTS) === 'false' && !aspectExists) {
    throw new ProposalRejected('Aspect does not exist and createIfNotExists is false', 412);
  }
  if (needsEntityCheck(headers) && entityExists()) {
    throw new ProposalRejected('Entity already exists and createIfEntityNotExists is true', 412);
  }
}
