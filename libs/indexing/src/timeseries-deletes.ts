import { AspectChange, TimeseriesDeletion } from '@lib/search';

/** A deletion of timeseries events (see TimeseriesDeletion) at its position in the batch. */
export type EventDeletion = TimeseriesDeletion & { position: number };

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
  // An entity delete removes the events written up to it, as the delete_by_query does.
  if (deletion.aspect === undefined) return event.systemMetadata.lastObserved <= deletion.writtenUpTo;
  if (deletion.aspect !== event.aspect) return false;
  const at = Number(event.value?.timestampMillis);
  const { startTimeMillis, endTimeMillis } = deletion.range;
  return (startTimeMillis === undefined || at >= startTimeMillis) && (endTimeMillis === undefined || at <= endTimeMillis);
}
