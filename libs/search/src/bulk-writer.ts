import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'timers/promises';
import { SearchClient } from './search.client';
import { AspectChange } from './aspect-change';

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
  /** The change logs the item carries (what a refusal of it fails to index, for the dead-letter topic). */
  changes?: AspectChange[];
}

export interface BulkOutcome {
  /** Items created or updated. */
  written: number;
  /** Items that changed nothing: an update script found nothing newer, or a newer version was stored. */
  unchanged: number;
  /**
   * Items OpenSearch refused as malformed (400: a value the mapping cannot take). Retrying would fail the
   * same way forever and hold up the partition, so they are handed to the caller, which must not drop them
   * silently (the MAE consumer logs each at error level and counts it), instead of being thrown.
   */
  rejected?: BulkItemRefusal[];
  /** Items that failed with a retriable status and were sent again (counted once per re-send). */
  resent?: number;
}

export interface BulkItemFailure {
  label: string;
  status: number;
  error: string;
}

/** An item refused with 400, with the operation itself, so that the caller can say exactly what was refused. */
export interface BulkItemRefusal extends BulkItemFailure {
  operation: BulkOperation;
}

/**
 * How `write` re-sends items that failed with a retriable status (429, 5xx, a version conflict that does not
 * mean stale, ...): only those items, after a bounded exponential backoff, round after round until none is
 * left, or until `signal` aborts (the consumer is stopping) - then it throws BulkWriteError, so the batch is
 * not committed and is redelivered.
 */
export interface BulkRetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  /** Called before each wait: the failed items, and how many items will be sent again (see resendSet). */
  onRetry?: (retry: { failures: BulkItemFailure[]; resending: number; attempt: number; delayMs: number }) => void;
}

/** OpenSearch did not accept some items of a bulk request (and they were not, or no longer, retried). */
export class BulkWriteError extends Error {
  override readonly name = 'BulkWriteError';

  constructor(
    readonly failures: BulkItemFailure[],
    readonly total: number,
    note = '',
  ) {
    const shown = failures.slice(0, 5).map((f) => `${f.label} (${f.status} ${f.error})`);
    const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : '';
    super(`OpenSearch rejected ${failures.length} of ${total} bulk items: ${shown.join('; ')}${more}${note}`);
  }
}

interface BulkResponseItem {
  status: number;
  result?: string;
  error?: ItemError;
}

interface ItemError {
  type?: string;
  reason?: string;
  caused_by?: ItemError;
}

/** `type: reason`, and the innermost cause when there is one (a script's own error under "failed to execute script"). */
function describeError(error: ItemError | undefined): string {
  const text = (e: ItemError) => `${e.type ?? 'error'}: ${e.reason ?? 'no reason given'}`;
  let root = error?.caused_by;
  while (root?.caused_by) root = root.caused_by;
  return error === undefined ? text({}) : root ? `${text(error)} (caused by ${text(root)})` : text(error);
}

type ItemResult = { kind: 'written' | 'unchanged' } | { kind: 'retriable' | 'rejected'; failure: BulkItemFailure };

/**
 * Sends a batch's documents as one bulk request and checks every item: OpenSearch answers 200 even when
 * items failed, so a caller that only awaited the request would commit writes that never happened.
 */
@Injectable()
export class BulkWriter {
  constructor(private readonly search: SearchClient) {}

  /**
   * Without `retry`, throws BulkWriteError naming the failed items. With it, re-sends only the failed items
   * (see BulkRetryPolicy) and returns once every item is written, unchanged or refused (400). A transport
   * error (no answer at all) is thrown either way. `waitForSearch` returns only once the documents are
   * visible to search (refresh=wait_for), for readers that cannot use real-time get.
   */
  async write(operations: BulkOperation[], options: { waitForSearch?: boolean; retry?: BulkRetryPolicy } = {}): Promise<BulkOutcome> {
    // The final result of each operation (by its position); a re-sent item's latest answer replaces the earlier one.
    const results: ItemResult[] = [];
    let resent = 0;
    let pending = operations.map((_, i) => i);
    let delay = options.retry?.initialDelayMs ?? 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const answers = await this.send(
        pending.map((i) => operations[i]),
        options.waitForSearch ?? false,
      );
      answers.forEach((result, k) => (results[pending[k]] = result));
      const failed = pending.filter((i) => results[i].kind === 'retriable');
      if (failed.length === 0) break;
      const failures = failed.map((i) => (results[i] as { failure: BulkItemFailure }).failure);
      const retry = options.retry;
      if (!retry) throw new BulkWriteError(failures, operations.length);
      if (retry.signal?.aborted) throw new BulkWriteError(failures, operations.length, '; stopping, so not retried here');
      const next = resendSet(operations, results, failed);
      const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
      retry.onRetry?.({ failures, resending: next.length, attempt, delayMs: jittered });
      try {
        await sleep(jittered, undefined, { signal: retry.signal });
      } catch {
        throw new BulkWriteError(failures, operations.length, '; stopping, so not retried here');
      }
      resent += next.length;
      pending = next;
      delay = Math.min(delay * 2, retry.maxDelayMs);
    }
    const outcome: BulkOutcome = {
      written: results.filter((r) => r.kind === 'written').length,
      unchanged: results.filter((r) => r.kind === 'unchanged').length,
    };
    const rejected = results.flatMap((r, i) => (r.kind === 'rejected' ? [{ ...r.failure, operation: operations[i] }] : []));
    return { ...outcome, ...(rejected.length > 0 ? { rejected } : {}), ...(resent > 0 ? { resent } : {}) };
  }

  /** One bulk request; the result of each item, in order. */
  private async send(operations: BulkOperation[], waitForSearch: boolean): Promise<ItemResult[]> {
    if (operations.length === 0) return [];
    const body = operations.flatMap((op) => [op.action, op.document]);
    const res = await this.search.client.bulk({ body, ...(waitForSearch ? { refresh: 'wait_for' as const } : {}) });
    const items = (res.body.items ?? []) as Record<string, BulkResponseItem>[];
    if (items.length !== operations.length) {
      throw new Error(`OpenSearch answered ${items.length} items to a bulk request of ${operations.length}`);
    }
    return items.map((entry, i): ItemResult => {
      const op = operations[i];
      const item = Object.values(entry)[0];
      if (item.status === 409 && op.conflictMeansStale) return { kind: 'unchanged' };
      if (item.error || item.status >= 300) {
        const failure = { label: op.label, status: item.status, error: describeError(item.error) };
        return { kind: item.status === 400 ? 'rejected' : 'retriable', failure };
      }
      return { kind: item.result === 'noop' ? 'unchanged' : 'written' };
    });
  }
}

/**
 * What to send again (positions in `operations`, in order): the failed items, and after each, any later item
 * of the same batch that targets the same document (index and id) and was applied - so that a document's
 * writes land in the order they were logged (re-sending only an older write of a document after a newer one
 * succeeded would put the older one back wherever the version guard cannot tell them apart, e.g. equal
 * versions or timeseries ids). Every item is idempotent (deterministic ids, external_gte versions, the entity
 * script's version check), so sending one again is safe. When every document appears once in the batch,
 * exactly the failed items are sent.
 */
function resendSet(operations: BulkOperation[], results: ItemResult[], failed: number[]): number[] {
  const failedAt = new Set(failed);
  const failedDocs = new Set<string>();
  const next: number[] = [];
  operations.forEach((op, i) => {
    const key = documentKey(op);
    if (failedAt.has(i)) {
      failedDocs.add(key);
      next.push(i);
    } else if (failedDocs.has(key) && results[i].kind !== 'rejected') next.push(i);
  });
  return next;
}

function documentKey(op: BulkOperation): string {
  const target = 'index' in op.action ? op.action.index : op.action.update;
  return `${target._index}\u0000${target._id}`;
}
