import { Logger } from '@nestjs/common';
import { errorMessage } from '@lib/common';
import type { SpanSink, StoredSpan } from '@lib/telemetry';
import { SearchClient } from './search.client';

/** Daily span indices are `<prefix>trace_spans_<yyyy.mm.dd>`. */
const SPANS = 'trace_spans_';
/** Most spans one trace id answers (the search's size). */
export const MAX_SPANS_PER_TRACE = 10000;
/** How often a process looks for span indices past their retention. */
const RETENTION_CHECK_MS = 60 * 60 * 1000;

/**
 * The stored spans: one index a day, written in bulk (each span under its own id, so sending one again
 * overwrites it), read back by trace id, and deleted once older than TRACE_SPAN_RETENTION_DAYS. The index
 * template maps only what is searched on (trace id, span id, service, start); the OTLP span itself is kept as
 * stored, not indexed, so no attribute can clash with a mapping.
 */
export class SpanIndex implements SpanSink {
  private readonly logger = new Logger(SpanIndex.name);
  private template: Promise<void> | undefined;
  private retentionCheckedAt = 0;

  constructor(
    private readonly search: SearchClient,
    private readonly retentionDays: number,
    private readonly replicas = 0,
  ) {}

  async write(spans: StoredSpan[]): Promise<void> {
    await (this.template ??= this.putTemplate().catch((e: unknown) => {
      this.template = undefined;
      throw e;
    }));
    const body = spans.flatMap((s) => [{ index: { _index: this.indexOf(s.startTime), _id: `${s.traceId}-${s.spanId}` } }, s]);
    const res = await this.search.client.bulk({ body });
    const refused = (res.body.items as { index?: { error?: unknown } }[]).filter((i) => i.index?.error);
    if (refused.length > 0) throw new Error(`${refused.length} of ${spans.length} spans refused: ${JSON.stringify(refused[0].index?.error).slice(0, 300)}`);
    if (Date.now() - this.retentionCheckedAt > RETENTION_CHECK_MS) {
      this.retentionCheckedAt = Date.now();
      void this.dropExpired().catch((e: unknown) => this.logger.warn(`span retention: ${errorMessage(e)}`));
    }
  }

  /** Every stored span of the trace, oldest first (at most MAX_SPANS_PER_TRACE). */
  async spansOf(traceId: string): Promise<StoredSpan[]> {
    const res = await this.search.client.search({
      index: this.search.index(`${SPANS}*`),
      ignore_unavailable: true,
      allow_no_indices: true,
      body: { size: MAX_SPANS_PER_TRACE, query: { term: { traceId } }, sort: [{ startTime: 'asc' }] },
    });
    return (res.body.hits.hits as { _source: StoredSpan }[]).map((h) => h._source);
  }

  /** Deletes the daily indices older than the retention; returns their names. */
  async dropExpired(now = Date.now()): Promise<string[]> {
    const res = await this.search.client.cat.indices({ index: this.search.index(`${SPANS}*`), format: 'json', h: ['index'] });
    const oldest = this.indexOf(now - this.retentionDays * 86_400_000);
    const expired = (res.body as { index: string }[]).map((i) => i.index).filter((name) => name < oldest);
    if (expired.length > 0) await this.search.client.indices.delete({ index: expired.join(',') });
    return expired;
  }

  indexOf(epochMs: number): string {
    const d = new Date(epochMs);
    const day = `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
    return this.search.index(`${SPANS}${day}`);
  }

  private async putTemplate(): Promise<void> {
    await this.search.client.indices.putIndexTemplate({
      name: this.search.index('trace_spans'),
      body: {
        index_patterns: [this.search.index(`${SPANS}*`)],
        template: {
          settings: { number_of_shards: 1, number_of_replicas: this.replicas },
          mappings: {
            dynamic: false,
            properties: {
              traceId: { type: 'keyword' },
              spanId: { type: 'keyword' },
              service: { type: 'keyword' },
              startTime: { type: 'date', format: 'epoch_millis' },
              resource: { type: 'object', enabled: false },
              scope: { type: 'object', enabled: false },
              span: { type: 'object', enabled: false },
            },
          },
        },
      },
    });
  }
}
