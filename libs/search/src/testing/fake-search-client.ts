import { SearchClient } from '../search.client';

/** Requests and answers as tests look at them: loosely typed on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;

type Api = 'bulk' | 'mget' | 'search' | 'deleteByQuery';

/**
 * A stand-in for SearchClient in unit tests: records every request and answers with what the test set
 * (by default: every bulk item created, no documents found, no hits). Index names get the prefix `t_`.
 * An answer that throws makes the call reject, like a transport error.
 */
export class FakeSearchClient {
  readonly requests: { api: Api; request: Loose }[] = [];
  bulkAnswer: (request: Loose) => Loose = (req) => ({ errors: false, items: bulkActions(req).map(() => ({ index: { status: 201, result: 'created' } })) });
  mgetAnswer: (request: Loose) => Loose = (req) => ({ docs: (req.body.ids as string[]).map((id) => ({ _id: id, found: false })) });
  searchAnswer: (request: Loose) => Loose = () => ({ hits: { hits: [] } });
  deleteByQueryAnswer: (request: Loose) => Loose = () => ({ deleted: 0, failures: [] });

  readonly client = {
    bulk: async (request: Loose) => this.call('bulk', request, this.bulkAnswer),
    mget: async (request: Loose) => this.call('mget', request, this.mgetAnswer),
    search: async (request: Loose) => this.call('search', request, this.searchAnswer),
    deleteByQuery: async (request: Loose) => this.call('deleteByQuery', request, this.deleteByQueryAnswer),
  };

  index(name: string): string {
    return `t_${name}`;
  }

  asSearchClient(): SearchClient {
    return this as unknown as SearchClient;
  }

  /** The requests made to one API. */
  calls(api: Api): Loose[] {
    return this.requests.filter((r) => r.api === api).map((r) => r.request);
  }

  private async call(api: Api, request: Loose, answer: (request: Loose) => Loose): Promise<{ body: Loose }> {
    this.requests.push({ api, request });
    return { body: answer(request) };
  }
}

/** The action lines of a bulk request body (the even lines; the odd ones are documents). */
export function bulkActions(request: Loose): Loose[] {
  return (request.body as Loose[]).filter((_, i) => i % 2 === 0);
}

/** The document lines of a bulk request body. */
export function bulkDocuments(request: Loose): Loose[] {
  return (request.body as Loose[]).filter((_, i) => i % 2 === 1);
}
