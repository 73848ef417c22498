import { AppProcess } from './support/app-process';
import { signToken } from './support/tokens';
import { getJson, postJson } from './support/http';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { kafka } from './support/stores';

const env = stackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const datasetUrn = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_restli_${run}.${name},PROD)`;
const keyOf = (urn: string) => ({ platform: 'urn:li:dataPlatform:hive', name: urn.split(',')[1], origin: 'PROD' });
const enc = encodeURIComponent;
// What DataHub's Python SDK sends with its rest.li reads.
const RESTLI = { 'X-RestLi-Protocol-Version': '2.0.0' };
const PROPS = 'com.linkedin.dataset.DatasetProperties';

/** A DELETE proposal on the MCP topic, as any producer may send it (the API has no delete route). */
async function proposeDelete(urn: string, aspectName: string): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  try {
    await producer.send({
      topic: env.TOPIC_MCP,
      messages: [{ key: urn, value: JSON.stringify({ entityType: 'dataset', entityUrn: urn, changeType: 'DELETE', aspectName }) }],
    });
  } finally {
    await producer.disconnect();
  }
}

describe('rest.li reads (GET /aspects, GET /entitiesV2) on the real stack', () => {
  let gms: AppProcess;
  const aspect = (urn: string, query: string) => getJson(`${gms.url}/aspects/${enc(urn)}?${query}`, RESTLI);
  const entity = (urn: string, query = '') => getJson(`${gms.url}/entitiesV2/${enc(urn)}${query}`, RESTLI);
  const write = async (urn: string, aspects: Record<string, unknown>) => {
    const body = [{ urn, ...Object.fromEntries(Object.entries(aspects).map(([name, value]) => [name, { value }])) }];
    const res = await postJson(`${gms.url}/openapi/v3/entity/dataset?async=false`, body);
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae' });
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('GET /aspects: the latest value under its record name (version 0), each stored version by number (1 the oldest), 404 past them', async () => {
    const urn = datasetUrn('versions');
    await write(urn, { datasetProperties: { name: 'first', customProperties: {} } });
    await write(urn, { datasetProperties: { name: 'second', customProperties: { k: 'v' } } });

    const latest = await aspect(urn, 'aspect=datasetProperties&version=0');
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({
      urn,
      aspect: { [PROPS]: { name: 'second', customProperties: { k: 'v' } } },
      version: 2,
      created: { actor: 'urn:li:corpuser:__anonymous' },
      systemMetadata: { version: '2' },
    });
    expect(Math.abs(latest.body.created.time - Date.now())).toBeLessThan(60000);
    expect((await aspect(urn, 'aspect=datasetProperties')).body).toEqual(latest.body);
    expect((await aspect(urn, 'aspect=datasetProperties&version=1')).body).toMatchObject({ aspect: { [PROPS]: { name: 'first' } }, version: 1 });
    expect((await aspect(urn, 'aspect=datasetProperties&version=2')).body).toEqual(latest.body);
    const past = await aspect(urn, 'aspect=datasetProperties&version=3');
    expect([past.status, past.body]).toEqual([404, { statusCode: 404, error: 'Not Found', message: `aspect datasetProperties of ${urn} version 3 not found` }]);
    // The key aspect the first write brought: what exists() reads.
    expect((await aspect(urn, 'aspect=datasetKey')).body).toMatchObject({ aspect: { 'com.linkedin.metadata.key.DatasetKey': keyOf(urn) }, version: 1 });
    expect((await aspect(urn, 'aspect=status')).status).toBe(404);
    expect((await aspect(datasetUrn('never'), 'aspect=datasetKey')).status).toBe(404);
  });

  it('GET /entitiesV2: every live aspect enveloped, the key first; List(...) filters, the key always comes; never written: the key from the URN', async () => {
    const urn = datasetUrn('entity');
    await write(urn, { status: { removed: false }, datasetProperties: { name: 'e', customProperties: {} } });

    const all = await entity(urn);
    expect(all.status).toBe(200);
    expect(all.body.urn).toBe(urn);
    expect(Object.keys(all.body.aspects)).toEqual(['datasetKey', 'status', 'datasetProperties']);
    expect(all.body.aspects.status).toMatchObject({
      name: 'status',
      type: 'VERSIONED',
      version: 1,
      value: { removed: false },
      systemMetadata: { version: '1' },
    });
    expect(all.body.aspects.datasetKey.value).toEqual(keyOf(urn));
    expect(Object.keys((await entity(urn, '?aspects=List(status)')).body.aspects)).toEqual(['datasetKey', 'status']);
    expect(Object.keys((await entity(urn, `?aspects=${enc('List(datasetProperties,status)')}`)).body.aspects)).toEqual([
      'datasetKey',
      'status',
      'datasetProperties',
    ]);

    const never = datasetUrn('never');
    expect(await entity(never)).toMatchObject({
      status: 200,
      body: { urn: never, aspects: { datasetKey: { name: 'datasetKey', type: 'VERSIONED', version: 0, value: keyOf(never) } } },
    });
    expect(Object.keys((await entity(never)).body.aspects)).toEqual(['datasetKey']);
  });

  it('a deleted aspect (tombstone) is 404 and leaves /entitiesV2, its history stays readable; a deleted entity reads as never written', async () => {
    const urn = datasetUrn('deleted');
    await write(urn, { status: { removed: false }, datasetProperties: { name: 'd', customProperties: {} } });
    await proposeDelete(urn, 'status');
    const gone = await eventually(
      () => aspect(urn, 'aspect=status'),
      (r) => r.status === 404,
      60000,
      300,
    );
    expect(gone.body).toEqual({ statusCode: 404, error: 'Not Found', message: `aspect status of ${urn} not found (deleted)` });
    expect((await aspect(urn, 'aspect=status&version=1')).body).toMatchObject({ aspect: { 'com.linkedin.common.Status': { removed: false } }, version: 1 });
    expect((await aspect(urn, 'aspect=status&version=2')).status).toBe(404);
    expect(Object.keys((await entity(urn)).body.aspects)).toEqual(['datasetKey', 'datasetProperties']);

    await proposeDelete(urn, 'datasetKey');
    await eventually(
      () => aspect(urn, 'aspect=datasetKey'),
      (r) => r.status === 404,
      60000,
      300,
    );
    expect((await aspect(urn, 'aspect=datasetProperties')).status).toBe(404);
    expect((await entity(urn)).body).toEqual({ urn, aspects: { datasetKey: { name: 'datasetKey', type: 'VERSIONED', version: 0, value: keyOf(urn) } } });
  });

  it.each([
    ['a malformed URN', '/aspects/not-a-urn?aspect=status', /^urn: Invalid URN "not-a-urn"/],
    ['an unknown entity type', `/aspects/${enc('urn:li:nosuch:x')}?aspect=status`, /^urn: unknown entity type nosuch/],
    ['no aspect parameter', `/aspects/${enc(datasetUrn('x'))}`, /^query parameter aspect is required/],
    ['an unknown aspect', `/aspects/${enc(datasetUrn('x'))}?aspect=nosuch`, /^unknown aspect nosuch of entity type dataset/],
    ['a timeseries aspect', `/aspects/${enc(datasetUrn('x'))}?aspect=datasetProfile`, /^datasetProfile is a timeseries aspect/],
    ['a negative version', `/aspects/${enc(datasetUrn('x'))}?aspect=status&version=-1`, /^version must be a whole number from 0 to 2147483647, not -1/],
    ['a version that is not a number', `/aspects/${enc(datasetUrn('x'))}?aspect=status&version=one`, /numeric string is expected/],
    ['entitiesV2: a malformed URN', `/entitiesV2/${enc('urn:li:dataset:(x')}`, /^urn: Invalid URN/],
    ['entitiesV2: aspects not List(...)', `/entitiesV2/${enc(datasetUrn('x'))}?aspects=status`, /^query parameter aspects must be List\(<aspect>,...\)/],
    [
      'entitiesV2: an unknown aspect in the List',
      `/entitiesV2/${enc(datasetUrn('x'))}?aspects=List(status,nosuch)`,
      /^query parameter aspects: unknown aspect nosuch/,
    ],
  ])('%s is a 400 that says why', async (_label, path, message) => {
    const res = await getJson(`${gms.url}${path}`, RESTLI);
    expect([res.status, res.body.statusCode, res.body.error]).toEqual([400, 400, 'Bad Request']);
    expect(res.body.message).toMatch(message);
  });
});

describe('rest.li reads with authentication on', () => {
  const SECRET = 'e2e-only-restli-secret-0123456789abcdef-012345';
  let gms: AppProcess;
  const bearer = async (scope: string) => ({
    ...RESTLI,
    authorization: `Bearer ${await signToken(SECRET, { scope }, { sub: 'urn:li:corpuser:restli' })}`,
  });

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { AUTH_ENABLED: 'true', AUTH_JWT_SECRET: SECRET, RUN_CONSUMERS: '' });
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it.each([
    ['/aspects', '?aspect=datasetKey', 404],
    ['/entitiesV2', '', 200],
  ])('GET %s: 401 without a token, 403 without the read scope, answered with it', async (route, query, status) => {
    const url = `${gms.url}${route}/${enc(datasetUrn('auth'))}${query}`;
    expect((await getJson(url, RESTLI)).status).toBe(401);
    expect((await getJson(url, await bearer('write'))).status).toBe(403);
    expect((await getJson(url, await bearer('read'))).status).toBe(status);
  });
});
