import { Injectable } from '@nestjs/common';
import { traceRef } from './decisions/inputs';
import { AspectTraceResult, TraceResponse } from './decisions/search-and-response';
import { WriteStatus } from './decisions/status';
import { TraceItem } from './trace-item';
import { TraceOptions, TraceService } from './trace.service';
import { unlessSaturated } from './kafka-gate';

/** Which storages a wait waits for: the SQL write only, or its indexing too. */
export type WaitFor = 'primary' | 'both';

export interface WaitResult {
  /** Every aspect reached a final state in the storages waited for (no PENDING left) before the deadline. */
  settled: boolean;
  /** The last trace answer, every aspect included (errors or not; a failure with its writeExceptions). */
  trace: TraceResponse;
}

/** Still on its way: queued, or not yet decidable while it is. */
const inFlight = new Set<WriteStatus>([WriteStatus.PENDING, WriteStatus.UNKNOWN]);

/**
 * Waits for an asynchronous write to reach its final state, by tracing it - the same rules and the same
 * reads as the trace endpoint, so "done" means what a client's trace would say. Polls with a short backoff
 * (10 ms doubling to 100 ms): a settled write costs one SQL query and one OpenSearch request per look.
 * A look refused by the Kafka gate (TraceSaturated) counts as "not settled yet": the write is already
 * queued, so the wait goes on rather than answering 503 for a write that was accepted.
 */
@Injectable()
export class WriteWaiter {
  constructor(private readonly traces: TraceService) {}

  async wait(traceId: string, items: TraceItem[], waitFor: WaitFor, timeoutMs: number): Promise<WaitResult> {
    const deadline = Date.now() + timeoutMs;
    const ref = traceRef(traceId);
    let trace: TraceResponse = {};
    for (let pauseMs = 10; ; pauseMs = Math.min(pauseMs * 2, 100)) {
      const looked = await this.look(ref, items, { onlyIncludeErrors: false, detailed: false, skipCache: false });
      trace = looked ?? trace;
      const settled = looked !== undefined && aspectsOf(trace).every((a) => !pending(a, waitFor));
      // A failure is traced once more in detail, for its reason (the failed topic's exception).
      const failed = aspectsOf(trace).some((a) => !a.success);
      if (failed) return { settled, trace: (await this.look(ref, items, { onlyIncludeErrors: false, detailed: true, skipCache: false })) ?? trace };
      if (settled || Date.now() + pauseMs > deadline) return { settled, trace };
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** One trace; undefined when the Kafka gate had no slot for it. */
  private async look(ref: ReturnType<typeof traceRef>, items: TraceItem[], opts: TraceOptions): Promise<TraceResponse | undefined> {
    return unlessSaturated(this.traces.trace(ref, items, opts));
  }
}

function aspectsOf(trace: TraceResponse): AspectTraceResult[] {
  return Object.values(trace).flatMap((byAspect) => Object.values(byAspect));
}

function pending(a: AspectTraceResult, waitFor: WaitFor): boolean {
  if (inFlight.has(a.primaryStorage.writeStatus)) return true;
  return waitFor === 'both' && inFlight.has(a.searchStorage.writeStatus);
}
