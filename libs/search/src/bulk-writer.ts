import { Injectable } from '@nestjs/common';
import { SearchClient } from './search.client';

export interface BulkTarget {
  _index: string;
  _id: string;
  /** With `version_type: 'external_gte'`: the write applies only if no newer version is stored. */
  version?: number;
  version_type?: 'external_gte';
  retry_on_conflict?: number;
}

export type BulkAction = { index: BulkTarget } | { update: BulkTarget };

/** One item of a bulk request: the action line, the document (or update body) line, and what it is. */
export interface BulkOperation {
  action: BulkAction;
  document: Record<string, unknown>;
  /** Names the item in errors and logs, e.g. `system metadata urn:li:dataset:(...) status`. */
  label: string;
  /** A version conflict means a newer write is already indexed: the item is done, not failed. */
  conflictMeansStale?: boolean;
}

export interface BulkOutcome {
  /** Items created or updated. */
  written: number;
  /** Items that changed nothing: an update script found nothing newer, or a newer version was stored. */
  unchanged: number;
  /**
   * Items OpenSearch refused as malformed (400: a value the mapping cannot take). Retrying would fail the
   * same way forever and hold up the partition, so they are reported to the caller to log, not thrown.
   */
  rejected?: BulkItemFailure[];
}

export interface BulkItemFailure {
  label: string;
  status: number;
  error: string;
}

/** OpenSearch refused some items of a bulk request; the whole batch is to be retried. */
export class BulkWriteError extends Error {
  override readonly name = 'BulkWriteError';

  constructor(
    readonly failures: BulkItemFailure[],
    readonly total: number,
  ) {
    const shown = failures.slice(0, 5).map((f) => `${f.label} (${f.status} ${f.error})`);
    const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : '';
    super(`OpenSearch rejected ${failures.length} of ${total} bulk items: ${shown.join('; ')}${more}`);
  }
}

interface BulkResponseItem {
  status: number;
  result?: string;
  error?: { type?: string; reason?: string };
}

/**
 * Sends a batch's documents as one bulk request and checks every item: OpenSearch answers 200 even when
 * items failed, so a caller that only awaited the request would commit writes that never happened.
 */
@Injectable()
export class BulkWriter {
  constructor(private readonly search: SearchClient) {}

  /**
   * Throws BulkWriteError naming the failed items. `waitForSearch` returns only once the documents are
   * visible to search (refresh=wait_for), for readers that cannot use real-time get.
   */
  async write(operations: BulkOperation[], options: { waitForSearch?: boolean } = {}): Promise<BulkOutcome> {
    if (operations.length === 0) return { written: 0, unchanged: 0 };
    const body = operations.flatMap((op) => [op.action, op.document]);
    const res = await this.search.client.bulk({ body, ...(options.waitForSearch ? { refresh: 'wait_for' as const } : {}) });
    const items = (res.body.items ?? []) as Record<string, BulkResponseItem>[];
    if (items.length !== operations.length) {
      throw new Error(`OpenSearch answered ${items.length} items to a bulk request of ${operations.length}`);
    }
    const outcome: BulkOutcome = { written: 0, unchanged: 0 };
    const failures: BulkItemFailure[] = [];
    const rejected: BulkItemFailure[] = [];
    items.forEach((entry, i) => {
      const op = operations[i];
      const item = Object.values(entry)[0];
      if (item.status === 409 && op.conflictMeansStale) outcome.unchanged++;
      else if (item.error || item.status >= 300) {
        const failure = { label: op.label, status: item.status, error: `${item.error?.type ?? 'error'}: ${item.error?.reason ?? 'no reason given'}` };
        (item.status === 400 ? rejected : failures).push(failure);
      } else if (item.result === 'noop') outcome.unchanged++;
      else outcome.written++;
    });
    if (failures.length > 0) throw new BulkWriteError(failures, operations.length);
    return rejected.length > 0 ? { ...outcome, rejected } : outcome;
  }
}
