import { QueryFlag, QueryInt } from '../http/query';

const SYSTEM_METADATA = "Return each aspect's systemMetadata.";

/** The reads: `systemMetadata`. */
export class ReadQuery {
  @QueryFlag(false, SYSTEM_METADATA) readonly systemMetadata: boolean = false;
}

/** The batch writes (POST and PATCH): async unless `async=false`. */
export class BatchWriteQuery {
  @QueryFlag(true) readonly async: boolean = true;
  @QueryFlag(false, SYSTEM_METADATA) readonly systemMetadata: boolean = false;
}

/** The single-aspect PATCH: sync unless `async=true`. */
export class SingleWriteQuery {
  @QueryFlag(false) readonly async: boolean = false;
  @QueryFlag(false, SYSTEM_METADATA) readonly systemMetadata: boolean = false;
}

/** The single-aspect POST: SingleWriteQuery and its create conditions. */
export class SingleAspectWriteQuery extends SingleWriteQuery {
  @QueryFlag(true, 'false: only update an aspect that exists (else 412).') readonly createIfNotExists: boolean = true;
  @QueryFlag(false, 'true: only write when the entity has no aspect yet (else 412).') readonly createIfEntityNotExists: boolean = false;
}

/** The deletes: async unless `async=false`, and `purge` to remove every stored value too. */
export class DeleteQuery extends BatchWriteQuery {
  @QueryFlag(false, 'true: remove every stored value (history included) as well; the tombstone, with who deleted and when, stays.')
  readonly purge: boolean = false;
}

/** The write audit: how many versions, oldest first. */
export class VersionsQuery {
  @QueryInt(100, 1, 1000, 'most versions listed, oldest first') readonly limit: number = 100;
}
