import { stackEnv } from './stack-env';
import { kafka, search } from './stores';

/**
 * stackEnv() with topics, groups and index prefix of their own, named with `suffix` (as E2E_SUFFIX would),
 * for a test that must not share them with the rest of its suite; drop them with dropNamespace().
 */
export function ownNamespace(suffix: string): Record<string, string> {
  const saved = process.env.E2E_SUFFIX;
  process.env.E2E_SUFFIX = suffix;
  try {
    return stackEnv();
  } finally {
    if (saved === undefined) delete process.env.E2E_SUFFIX;
    else process.env.E2E_SUFFIX = saved;
  }
}

/**
 * Deletes a suite's own topics, consumer groups and indices (call it after its apps stopped: a group with
 * members is not deleted). Only for suites that run under an E2E_SUFFIX of their own: the index prefix
 * carries the run id, so the wildcard matches that run's indices only. `env`: the suite's stackEnv().
 */
export async function dropNamespace(env: Record<string, string>): Promise<void> {
  const topics = [env.TOPIC_MCP, env.TOPIC_FAILED_MCP, env.TOPIC_FAILED_MCL, env.TOPIC_MCL_VERSIONED, env.TOPIC_MCL_TIMESERIES];
  const admin = kafka(env).admin();
  await admin.connect();
  try {
    await admin.deleteGroups([env.MCE_CONSUMER_GROUP, env.MAE_CONSUMER_GROUP]).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  const client = search(env);
  await client.indices.delete({ index: `${env.OPENSEARCH_INDEX_PREFIX}*` }).catch(() => undefined);
  await client.indices.deleteIndexTemplate({ name: `${env.OPENSEARCH_INDEX_PREFIX}*` }).catch(() => undefined);
  await client.close();
}
