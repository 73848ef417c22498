import { TimeRange } from '@lib/metadata';
import { AspectChange } from '@lib/search';

/**
 * A delete of timeseries events in a batch, at its position in the batch: a timeseries DELETE (`aspect` and
 * `range`: that aspect's events of `urn` in the range), or an entity delete (no `aspect`: every event of `urn`).
 */
export interface EventDeletion {
  entityType: string;
  urn: string;
  aspect?: string;
  range?: TimeRange;
  position: number;
}

/**
 * The events to write when the batch's deletions run before its bulk request: those no deletion later in the
 * batch covers. An event a later deletion covers would have been deleted by it, so it is left out; one written
 * after a deletion (or outside its urn, aspect or range) is kept. Deletions only match by urn, aspect and
 * timestampMillis, so running them first and then writing these events ends as the log order would.
 */
export function eventsSurvivingDeletes(events: { change: AspectChange; position: number }[], deletions: EventDeletion[]): AspectChange[] {
  return events.filter(({ change, position }) => !deletions.some((d) => d.position > position && covers(d, change))).map((e) => e.change);
}

function covers(deletion: EventDeletion, event: AspectChange): boolean {
  if (deletion.urn !== event.urn || deletion.entityType !== event.entityType) return false;
  if (deletion.aspect === undefined) return true;
  if (deletion.aspect !== event.aspect) return false;
  const at = Number(event.value?.timestampMillis);
  const { startTimeMillis, endTimeMillis } = deletion.range ?? {};
  return (startTimeMillis === undefined || at >= startTimeMillis) && (endTimeMillis === undefined || at <= endTimeMillis);
}
