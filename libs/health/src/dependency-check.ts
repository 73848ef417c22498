/** What one dependency reports about itself; `details` end up in the health response. */
export interface CheckOutcome {
  up: boolean;
  details?: Record<string, unknown>;
}

/** One dependency behind the health endpoint (Kafka, MySQL, OpenSearch, a consumer, schema setup). */
export abstract class DependencyCheck {
  abstract readonly name: string;
  abstract check(): Promise<CheckOutcome>;
}
