/**
 * Painless script of the entity document's scripted upsert (it runs on an empty document when there is
 * none yet). params: urn, entityType, keyAspect, changes: [{aspect, value, deleted, version, lastObserved,
 * fields}], in the order they were logged. A deleted aspect leaves the document (its version stays, so an
 * older value arriving late cannot come back); when the key aspect is deleted - the entity is - and nothing
 * was written after it, the whole document goes.
 *
 * Why a script rather than a partial `doc` update: the document holds many aspects, and a change log
 * that is older than what is stored (redelivered after a newer one, or produced late) must not put an
 * old value back. Per aspect the document keeps `systemMetadata.<aspect> = {version, lastObserved}`;
 * a change applies only when it is newer: a higher aspect version (assigned by SQL, so it orders writes
 * even across hosts with skewed clocks), or the same version observed later (a no-op write). When no
 * side has a version, lastObserved alone decides. A change equal to the stored one is a redelivery: it
 * changes nothing, and a document nothing changed in is not rewritten (ctx.op = 'none').
 */
export const ENTITY_UPSERT_SCRIPT = `
boolean existed = ctx._source.urn != null;
if (!existed) { ctx._source.urn = params.urn; ctx._source.entityType = params.entityType; }
if (ctx._source.aspects == null) { ctx._source.aspects = new HashMap(); }
if (ctx._source.systemMetadata == null) { ctx._source.systemMetadata = new HashMap(); }
boolean changed = false;
boolean gone = false;
for (def change : params.changes) {
  def seen = ctx._source.systemMetadata[change.aspect];
  if (seen != null) {
    long observed = ((Number) change.lastObserved).longValue();
    long seenObserved = seen.lastObserved == null ? -1L : ((Number) seen.lastObserved).longValue();
    boolean newer;
    if (change.version != null && seen.version != null) {
      long version = ((Number) change.version).longValue();
      long seenVersion = ((Number) seen.version).longValue();
      newer = version > seenVersion || (version == seenVersion && observed > seenObserved);
    } else {
      newer = observed > seenObserved;
    }
    if (!newer) { continue; }
  }
  if (change.deleted) { ctx._source.aspects.remove(change.aspect); } else { ctx._source.aspects[change.aspect] = change.value; }
  if (change.aspect == params.keyAspect) { gone = change.deleted; } else if (!change.deleted) { gone = false; }
  ctx._source.systemMetadata[change.aspect] = ['version': change.version, 'lastObserved': change.lastObserved];
  for (def field : change.fields.entrySet()) { ctx._source[field.getKey()] = field.getValue(); }
  if (ctx._source.lastUpdated == null || ((Number) ctx._source.lastUpdated).longValue() < ((Number) change.lastObserved).longValue()) {
    ctx._source.lastUpdated = change.lastObserved;
  }
  changed = true;
}
if (gone) { ctx.op = existed ? 'delete' : 'none'; } else if (!changed) { ctx.op = 'none'; }
`.trim();
