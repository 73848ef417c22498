import { kafka } from './stores';

/**
 * Deletes a suite's own topics, consumer groups and indices (call it after its apps stopped: a group with
 * members is not deleted). Only for suites that run under an E2E_SUFFIX of their own: the index prefix
 * carries the run id, so the wildcard matches that run's indices only. `env`: the suite's stackEnv().
 */
export async function dropNamespace(env: Record<string, string>): Promise<void> {
  const topics = [env.TOPIC_MCP, env.TOPIC_FAILED_MCP, env.TOPIC_MCL_VERSIONED, env.TOPIC_MCL_TIMESERIES];
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.deleteGroups([env.MCE_CONSUMER_GROUP, env.MAE_CONSUMER_GROUP]).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  await fetch(`${env.OPENSEARCH_URL}/${env.OPENSEARCH_INDEX_PREFIX}*`, { method: 'DELETE' }).catch(() => undefined);
}
