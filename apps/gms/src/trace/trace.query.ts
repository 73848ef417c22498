import { QueryFlag } from '../http/query';

/** The trace route's flags. */
export class TraceQuery {
  @QueryFlag(true) readonly onlyIncludeErrors: boolean = true;
  @QueryFlag(false, 'Include the exceptions of failed proposals.') readonly detailed: boolean = false;
  @QueryFlag(false, 'Refetch consumer-group offsets.') readonly skipCache: boolean = false;
}
