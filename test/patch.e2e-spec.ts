import { AppProcess } from './support/app-process';
import { getJson, request } from './support/http';
import { eventually } from './support/poll';
import { stackEnv } from './support/stack-env';
import { kafka, search, sqlConnection } from './support/stores';
import { messageCount, messagesWithKey } from './support/topics';
import { states, traceIdOf, traceWrite } from './support/trace-client';

const env = stackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const datasetUrn = (name: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,e2e_patch_${run}.${name},PROD)`;
const enc = encodeURIComponent;
const tag = (n: string | number) => `urn:li:tag:e2e_${n}`;

/** The patch DataHub's SDK sends for DatasetPatchBuilder.add_tag (test/compat/generate_patch_fixtures.py). */
const sdkAddTag = (t: string) => ({
  arrayPrimaryKeys: { tags: ['attribution\u241fsource', 'tag'] },
  patch: [{ op: 'add', path: `/tags//${t}`, value: { tag: t } }],
});

async function latest(urn: string, aspect: string): Promise<{ value: unknown; version: string } | undefined> {
  const sql = await sqlConnection();
  try {
    const [rows] = await sql.query('SELECT metadata, systemmetadata FROM metadata_aspect_v2 WHERE urn = ? AND aspect = ? AND version = 0', [urn, aspect]);
    const row = (rows as { metadata: string; systemmetadata: string }[])[0];
    return row ? { value: JSON.parse(row.metadata), version: JSON.parse(row.systemmetadata).version } : undefined;
  } finally {
    await sql.end();
  }
}

describe('JSON Patch writes on the real stack', () => {
  let gms: AppProcess;
  let base: string;
  const patch = (path: string, body: unknown, headers?: Record<string, string>) => request('PATCH', `${base}${path}`, body, headers);
  const traced = (traceId: string, urn: string, aspects: string[], want: (s: string[]) => boolean) =>
    eventually(
      async () => (await traceWrite(gms.url, traceId, { [urn]: aspects }, { detailed: true })).body,
      (body) => want(aspects.map((a) => states(body, urn, a))),
      60000,
      300,
    );

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { RUN_CONSUMERS: 'mce,mae' });
    await gms.waitHealthy();
    base = `${gms.url}/openapi/v3/entity`;
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('applies an async batch of patches (as the SDK sends them): 202, traced to ACTIVE_STATE in both stores, the result in SQL and OpenSearch', async () => {
    const urn = datasetUrn('async');
    const res = await patch('/dataset', [
      {
        urn,
        globalTags: { value: sdkAddTag(tag('pii')), systemMetadata: null, headers: {} },
        datasetProperties: {
          value: [
            { op: 'add', path: '/description', value: 'patched' },
            { op: 'add', path: '/customProperties/a~1b', value: 'c' },
          ],
        },
      },
    ]);
    expect(res.status).toBe(202);
    const traceId = traceIdOf(res.headers.get('traceparent'));
    const body = await traced(traceId, urn, ['globalTags', 'datasetProperties'], (s) => s.every((x) => x === 'ACTIVE_STATE/ACTIVE_STATE'));
    expect(body[urn].globalTags.success).toBe(true);

    expect(await latest(urn, 'globalTags')).toEqual({ value: { tags: [{ tag: tag('pii') }] }, version: '1' });
    // The proposal on the MCP topic is the patch (changeType PATCH); its change log is an UPSERT of the result.
    const [proposal] = (await messagesWithKey(kafka(), env.TOPIC_MCP, urn)).map((m) => JSON.parse(m.value)).filter((m) => m.aspectName === 'globalTags');
    expect([proposal.changeType, proposal.aspect.contentType, JSON.parse(proposal.aspect.value)]).toEqual([
      'PATCH',
      'application/json-patch+json',
      sdkAddTag(tag('pii')),
    ]);
    const [changeLog] = (await messagesWithKey(kafka(), env.TOPIC_MCL_VERSIONED, urn))
      .map((m) => JSON.parse(m.value))
      .filter((m) => m.aspectName === 'globalTags');
    expect([changeLog.changeType, changeLog.aspect.contentType, JSON.parse(changeLog.aspect.value)]).toEqual([
      'UPSERT',
      'application/json',
      { tags: [{ tag: tag('pii') }] },
    ]);
    expect(await latest(urn, 'datasetProperties')).toEqual({ value: { description: 'patched', customProperties: { 'a/b': 'c' } }, version: '1' });
    const os = search();
    try {
      const doc = await eventually(
        async () => (await os.get({ index: `${env.OPENSEARCH_INDEX_PREFIX}datasetindex_v2`, id: urn }, { ignore: [404] })).body,
        (d) => d.found && (d._source as { description?: string }).description === 'patched',
      );
      expect((doc._source as { tags: string[] }).tags).toEqual([tag('pii')]);
    } finally {
      await os.close();
    }

    // A second patch starts from the stored value: the first tag stays, and the description is untouched.
    const second = await patch('/dataset', [{ urn, globalTags: { value: [{ op: 'add', path: `/tags/${tag('gold')}`, value: { tag: tag('gold') } }] } }]);
    await traced(traceIdOf(second.headers.get('traceparent')), urn, ['globalTags'], (s) => s[0] === 'ACTIVE_STATE/ACTIVE_STATE');
    expect(await latest(urn, 'globalTags')).toEqual({ value: { tags: [{ tag: tag('pii') }, { tag: tag('gold') }] }, version: '2' });
  });

  it('loses no update when 20 clients of two service instances each add a different tag to one aspect at the same time, async and sync', async () => {
    const urn = datasetUrn('concurrent');
    const created = await patch(`/dataset/${enc(urn)}/globalTags`, sdkAddTag(tag('first')));
    expect(created.status).toBe(200);
    // A second service instance without consumers: its async patches are applied by the first one's MCE consumer,
    // its sync ones by itself, each in a transaction that locks the row.
    const other = await AppProcess.start('gms', { RUN_CONSUMERS: '' });
    try {
      await other.waitHealthy();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const server = i % 2 === 0 ? gms.url : other.url;
          const async = i % 4 < 2;
          return request('PATCH', `${server}/openapi/v3/entity/dataset?async=${async}`, [{ urn, globalTags: { value: sdkAddTag(tag(`c${i}`)) } }]);
        }),
      );
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 4 < 2 ? 202 : 200)));
    } finally {
      await other.stop();
    }
    const row = await eventually(
      () => latest(urn, 'globalTags'),
      (r) => r !== undefined && r.version === '21',
      60000,
      300,
    );
    const tags = (row!.value as { tags: { tag: string }[] }).tags.map((t) => t.tag);
    expect(new Set(tags)).toEqual(new Set([tag('first'), ...Array.from({ length: 20 }, (_, i) => tag(`c${i}`))]));
    expect(tags).toHaveLength(21);
  });

  it('a patch whose test op fails is a traced ERROR with the reason, and changes nothing', async () => {
    const urn = datasetUrn('failing');
    const first = await patch(`/dataset/${enc(urn)}/datasetProperties`, [{ op: 'add', path: '/description', value: 'kept' }]);
    expect(first.status).toBe(200);
    expect(first.body.datasetProperties.value).toEqual({ description: 'kept' });

    const res = await patch('/dataset', [
      {
        urn,
        datasetProperties: {
          value: [
            { op: 'test', path: '/description', value: 'other' },
            { op: 'replace', path: '/description', value: 'lost' },
          ],
        },
      },
    ]);
    expect(res.status).toBe(202);
    const body = await traced(traceIdOf(res.headers.get('traceparent')), urn, ['datasetProperties'], (s) => s[0] === 'ERROR/ERROR');
    const status = body[urn].datasetProperties;
    expect(status.success).toBe(false);
    expect(status.primaryStorage.writeExceptions[0].message).toBe(
      'patch of datasetProperties does not apply: test failed at /description: expected "other", found "kept"',
    );
    expect(status.primaryStorage.writeExceptions[0].exceptionClass).toMatch(/PatchNotApplicable/);
    expect(status.searchStorage.writeMessage).toBe('Primary storage write failed.');
    expect(await latest(urn, 'datasetProperties')).toEqual({ value: { description: 'kept' }, version: '1' });
  });

  it('a patch that changes nothing is NO_OP in both stores', async () => {
    const urn = datasetUrn('noop');
    const first = await patch('/dataset', [{ urn, globalTags: { value: sdkAddTag(tag('x')) } }]);
    await traced(traceIdOf(first.headers.get('traceparent')), urn, ['globalTags'], (s) => s[0] === 'ACTIVE_STATE/ACTIVE_STATE');
    const again = await patch('/dataset', [{ urn, globalTags: { value: [{ op: 'remove', path: `/tags/${tag('absent')}` }] } }]);
    expect(again.status).toBe(202);
    await traced(traceIdOf(again.headers.get('traceparent')), urn, ['globalTags'], (s) => s[0] === 'NO_OP/NO_OP');
    expect(await latest(urn, 'globalTags')).toEqual({ value: { tags: [{ tag: tag('x') }] }, version: '1' });
  });

  it('the single-aspect route waits by default: 200 with the result, 409 when the patch does not apply, 412 on If-Version-Match', async () => {
    const urn = datasetUrn('sync');
    const path = `/dataset/${enc(urn)}/globalTags`;
    const ok = await patch(path, [{ op: 'add', path: `/tags/${tag('s')}`, value: { tag: tag('s') } }], { 'content-type': 'application/json-patch+json' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ urn, globalTags: { value: { tags: [{ tag: tag('s') }] } } });
    const conflict = await patch(path, [{ op: 'replace', path: '/tags/urn:li:tag:none/context', value: 'x' }]);
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe('patch of globalTags does not apply: replace: /tags/urn:li:tag:none/context does not exist');
    const stale = await patch(path, sdkAddTag(tag('t')), { 'If-Version-Match': '0' });
    expect(stale.status).toBe(412);
    expect(stale.body.message).toBe('Expected version 0, actual version 1');
    const matching = await patch(path, sdkAddTag(tag('t')), { 'If-Version-Match': '1' });
    expect(matching.status).toBe(200);
    expect((await getJson(`${base}${path}`)).body.value).toEqual({ tags: [{ tag: tag('s') }, { tag: tag('t') }] });
  });

  describe('a bad patch is a 400 naming what is wrong, and nothing is queued', () => {
    const urn = datasetUrn('bad');
    const cases: [string, () => Promise<{ status: number; body: { message: string } }>, RegExp][] = [
      [
        'an unknown op',
        () => patch('/dataset', [{ urn, globalTags: { value: [{ op: 'merge', path: '/tags' }] } }]),
        /body\[0\]\.globalTags\.value: invalid JSON Patch: patch\[0\]\.op must be one of/,
      ],
      [
        'a path without a leading slash',
        () => patch('/dataset', [{ urn, globalTags: { value: [{ op: 'remove', path: 'tags' }] } }]),
        /must be empty or start with "\/"/,
      ],
      ['a bad ~ escape', () => patch('/dataset', [{ urn, globalTags: { value: [{ op: 'remove', path: '/tags/~2' }] } }]), /"~" must be followed by 0 or 1/],
      ['an add without a value', () => patch('/dataset', [{ urn, globalTags: { value: [{ op: 'add', path: '/tags/x' }] } }]), /add needs a value/],
      ['an empty patch', () => patch('/dataset', [{ urn, globalTags: { value: [] } }]), /at least one operation/],
      [
        'a timeseries aspect',
        () => patch('/dataset', [{ urn, datasetProfile: { value: [{ op: 'add', path: '/rowCount', value: 1 }] } }]),
        /timeseries aspect and cannot be patched/,
      ],
      ['an unknown aspect', () => patch('/dataset', [{ urn, warpDrive: { value: [{ op: 'remove', path: '/x' }] } }]), /unknown aspect warpDrive/],
      ['an unknown entity type', () => patch('/spaceship', [{ urn, globalTags: { value: [{ op: 'remove', path: '/x' }] } }]), /unknown entity type spaceship/],
      ['a malformed URN', () => patch(`/dataset/${enc('urn:li:dataset:(oops')}/globalTags`, [{ op: 'remove', path: '/x' }]), /urn/],
      [
        'bad arrayPrimaryKeys',
        () => patch(`/dataset/${enc(urn)}/globalTags?async=true`, { patch: [{ op: 'remove', path: '/x' }], arrayPrimaryKeys: { tags: 'tag' } }),
        /^body: invalid JSON Patch: arrayPrimaryKeys\.tags must be an array/,
      ],
    ];

    it.each(cases)('%s', async (_name, send, message) => {
      const before = await messageCount(kafka(), env.TOPIC_MCP);
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
      expect(await messageCount(kafka(), env.TOPIC_MCP)).toBe(before);
    });
  });
});
