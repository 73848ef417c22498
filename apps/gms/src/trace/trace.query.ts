import { QueryFlag, QueryInt } from '../http/query';

/** Longest `waitMs` a trace request may ask for. */
export const MAX_TRACE_WAIT_MS = 30000;

/** The trace route's flags. */
export class TraceQuery {
  @QueryFlag(true) readonly onlyIncludeErrors: boolean = true;
  @QueryFlag(false, 'Include the exceptions of failed proposals.') readonly detailed: boolean = false;
  @QueryFlag(false, 'Refetch consumer-group offsets.') readonly skipCache: boolean = false;
  @QueryInt(
    undefined,
    0,
    MAX_TRACE_WAIT_MS,
    'While any requested aspect is PENDING (either storage), hold the answer until none is or this many ms have passed, then answer ' +
      'the states of that moment. Absent: the server default (TRACE_DEFAULT_WAIT_MS, 5000 unless configured). 0 answers at once. ' +
      "Costs no polling: one shared watcher per process reads the consumer groups' committed offsets and the trace is read again only when they pass the write.",
  )
  readonly waitMs?: number;
}
