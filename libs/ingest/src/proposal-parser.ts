import { EntityRegistry, exceedsDepth, MAX_JSON_DEPTH, MetadataChangeProposal, parseUrn, UrnError } from '@lib/metadata';
import { InvalidProposal } from './proposal-errors';
import { JSON_PATCH_CONTENT_TYPE, parsePatchDocument, PatchDocument, PatchSyntaxError } from './patch';

/**
 * Reads one MCP off the wire and checks it against the registry exactly as the API does, so a
 * proposal produced by any other client is held to the same rules before anything is written.
 */
export function parseProposal(text: string | undefined, registry: EntityRegistry): MetadataChangeProposal {
  let mcp: MetadataChangeProposal;
  try {
    mcp = JSON.parse(text ?? '') as MetadataChangeProposal;
  } catch {
    throw new InvalidProposal('message value is not valid JSON');
  }
  if (!mcp || typeof mcp !== 'object') throw new InvalidProposal('message value is not a JSON object');
  for (const field of ['entityType', 'entityUrn', 'aspectName'] as const) {
    if (typeof mcp[field] !== 'string' || mcp[field] === '') throw new InvalidProposal(`${field} is missing`);
  }
  if (mcp.changeType !== undefined && !SUPPORTED_CHANGE_TYPES.includes(mcp.changeType))
    throw new InvalidProposal(`changeType ${String(mcp.changeType)} is not supported`);
  if (mcp.changeType === 'DELETE') {
    checkEntityAndAspect(mcp, registry);
    // A delete carries no value: whatever a producer sent along is dropped, not stored.
    const { aspect: _ignored, ...withoutValue } = mcp;
    return withoutValue;
  }
  if (!mcp.aspect || typeof mcp.aspect.value !== 'string') throw new InvalidProposal('aspect.value is missing');
  checkProposal(mcp, registry);
  return mcp;
}

const SUPPORTED_CHANGE_TYPES: readonly string[] = ['UPSERT', 'PATCH', 'DELETE'];

/** Entity type, URN and aspect name must agree with the registry. */
function checkEntityAndAspect(mcp: MetadataChangeProposal, registry: EntityRegistry): void {
  if (!registry.findEntity(mcp.entityType)) throw new InvalidProposal(`unknown entity type ${mcp.entityType}`);
  try {
    const urn = parseUrn(mcp.entityUrn);
    if (urn.entityType !== mcp.entityType) throw new InvalidProposal(`urn ${mcp.entityUrn} is not of entity type ${mcp.entityType}`);
  } catch (err) {
    if (err instanceof UrnError) throw new InvalidProposal(err.message);
    throw err;
  }
  if (!registry.findAspect(mcp.entityType, mcp.aspectName)) throw new InvalidProposal(`unknown aspect ${mcp.aspectName} of entity type ${mcp.entityType}`);
}

/** Entity type, URN, aspect name and value must agree with the registry. */
export function checkProposal(mcp: MetadataChangeProposal, registry: EntityRegistry): void {
  checkEntityAndAspect(mcp, registry);
  const aspect = mcp.aspect;
  if (!aspect) throw new InvalidProposal('aspect.value is missing');
  let value: unknown;
  try {
    value = JSON.parse(aspect.value);
  } catch {
    throw new InvalidProposal(`aspect ${mcp.aspectName}: value is not valid JSON`);
  }
  if (exceedsDepth(value)) throw new InvalidProposal(`aspect ${mcp.aspectName}: value is nested deeper than ${MAX_JSON_DEPTH} levels`);
  const runId = mcp.systemMetadata?.runId;
  if (runId !== undefined && (typeof runId !== 'string' || runId.length > 255))
    throw new InvalidProposal('systemMetadata.runId must be a string of at most 255 characters');
  if (mcp.changeType === 'PATCH') {
    // The patch is checked here; the value it makes is checked against the schema when it is applied.
    if (aspect.contentType !== JSON_PATCH_CONTENT_TYPE) throw new InvalidProposal(`changeType PATCH needs contentType ${JSON_PATCH_CONTENT_TYPE}`);
    if (registry.isTimeseries(mcp.entityType, mcp.aspectName))
      throw new InvalidProposal(`aspect ${mcp.aspectName} is a timeseries aspect and cannot be patched`);
    patchOf(mcp.aspectName, value);
    return;
  }
  if (aspect.contentType === JSON_PATCH_CONTENT_TYPE) throw new InvalidProposal(`contentType ${JSON_PATCH_CONTENT_TYPE} needs changeType PATCH`);
  const result = registry.validateAspect(mcp.entityType, mcp.aspectName, value);
  if (!result.ok) throw new InvalidProposal(result.error.join('; '));
}

/** The patch document of a PATCH proposal's aspect value, or InvalidProposal saying what is wrong with it. */
export function patchOf(aspectName: string, value: unknown): PatchDocument {
  try {
    return parsePatchDocument(value);
  } catch (err) {
    if (err instanceof PatchSyntaxError) throw new InvalidProposal(`aspect ${aspectName}: invalid JSON Patch: ${err.message}`);
    throw err;
  }
}
