import { Client } from '@opensearch-project/opensearch';
import { systemMetadataDocId } from '@lib/search';
import { nowMs, sleep } from './stats';

interface Pending {
  traceId: string;
  acceptedAt: number;
  onSettled?: (ms: number) => void;
}

/**
 * Watches writes settle: a write is settled when its system-metadata document carries its trace id.
 * The MAE consumer writes that document only from the change log the MCE consumer emits after its SQL
 * commit, so at that moment the write is ACTIVE_STATE in both stores. One real-time mget per poll for
 * every write still open; the time recorded is when the poll that saw it returned, so a settle time is
 * never under-stated (it may be over-stated by up to one poll interval plus one mget).
 */
export class SettlePoller {
  private readonly pending = new Map<string, Pending>();
  readonly settledMs: number[] = [];
  private running = false;
  private loop?: Promise<void>;
  polls = 0;

  constructor(
    private readonly search: Client,
    private readonly index: string,
    private readonly everyMs = 20,
  ) {}

  /** `onSettled`, when given, is told this write's settle time too (censored ones included): per-write figures. */
  track(urn: string, aspect: string, traceId: string, acceptedAt: number, onSettled?: (ms: number) => void): void {
    this.pending.set(systemMetadataDocId(urn, aspect), { traceId, acceptedAt, onSettled });
  }

  get open(): number {
    return this.pending.size;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Waits until nothing is open, or `ms` passed; answers how many stayed open. */
  async drain(ms: number): Promise<number> {
    const deadline = nowMs() + ms;
    while (this.pending.size > 0 && nowMs() < deadline) await sleep(50);
    return this.pending.size;
  }

  /**
   * Counts the writes still open as settled now - a lower bound of their settle time - so that a run
   * that did not keep up shows in its median and p99 instead of vanishing from them. Answers how many.
   */
  censor(): number {
    const now = nowMs();
    for (const p of this.pending.values()) {
      this.settledMs.push(now - p.acceptedAt);
      p.onSettled?.(now - p.acceptedAt);
    }
    const n = this.pending.size;
    this.pending.clear();
    return n;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = nowMs();
      const ids = [...this.pending.keys()].slice(0, 5000);
      if (ids.length > 0) {
        try {
          const res = await this.search.mget({ index: this.index, realtime: true, body: { ids } });
          const seen = nowMs();
          this.polls++;
          for (const doc of res.body.docs as { _id: string; found?: boolean; _source?: { telemetryTraceId?: string } }[]) {
            const p = this.pending.get(doc._id);
            if (p && doc.found && doc._source?.telemetryTraceId === p.traceId) {
              this.settledMs.push(seen - p.acceptedAt);
              this.pending.delete(doc._id);
              p.onSettled?.(seen - p.acceptedAt);
            }
          }
        } catch {
          /* the index may not exist before the first write is indexed */
        }
      }
      await sleep(Math.max(1, this.everyMs - (nowMs() - started)));
    }
  }
}
