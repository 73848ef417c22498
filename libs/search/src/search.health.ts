import { Injectable } from '@nestjs/common';
import { Settings } from '@lib/config';
import { withTimeout } from '@lib/common';
import { CheckOutcome, DependencyCheck } from '@lib/health';
import { SearchClient } from './search.client';

@Injectable()
export class SearchHealth extends DependencyCheck {
  readonly name = 'opensearch';

  constructor(
    private readonly search: SearchClient,
    private readonly settings: Settings,
  ) {
    super();
  }

  async check(): Promise<CheckOutcome> {
    const res = await withTimeout(this.search.client.cluster.health({}), this.settings.healthTimeoutMs, 'OpenSearch');
    const status = String(res.body.status);
    return { up: status === 'green' || status === 'yellow', details: { cluster: status, nodes: res.body.number_of_nodes } };
  }
}
