import { AppProcess } from './support/app-process';
import { signToken } from './support/tokens';
import { getJson, postJson, request } from './support/http';
import { traceIdOf } from './support/trace-client';

const SECRET = 'e2e-only-secret-0123456789abcdef-0123456789';
const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,auth_${Date.now().toString(36)}.t,PROD)`;
const enc = encodeURIComponent;

function token(claims: Record<string, unknown>, opts: { sub?: string; expires?: string | number; secret?: string } = {}): Promise<string> {
  return signToken(opts.secret ?? SECRET, claims, { sub: opts.sub ?? 'urn:li:corpuser:alice', expires: opts.expires });
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('authentication and authorization', () => {
  let gms: AppProcess;

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { AUTH_ENABLED: 'true', AUTH_JWT_SECRET: SECRET, RUN_CONSUMERS: 'mce,mae' });
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await gms?.stop();
  });

  it('leaves health and the API document open', async () => {
    expect((await getJson(`${gms.url}/health`)).status).toBe(200);
    const doc = await getJson(`${gms.url}/openapi/v3/api-docs`);
    expect(doc.status).toBe(200);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it.each([
    ['no token', {}, /Authorization: Bearer <token> header is required/],
    ['a malformed header', { authorization: 'Basic abc' }, /Bearer/],
    ['garbage', { authorization: 'Bearer not.a.jwt' }, /token is not valid/],
  ])('answers 401 with a JSON error for %s', async (_name, headers, message) => {
    const res = await request(
      'POST',
      `${gms.url}/openapi/v3/entity/dataset`,
      [{ urn, status: { value: { removed: false } } }],
      headers as Record<string, string>,
    );
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(message);
  });

  it('answers 401 for a token signed with another secret, or expired', async () => {
    const forged = await token({ scope: 'read write' }, { secret: 'another-secret-another-secret-another-secret' });
    expect((await request('POST', `${gms.url}/openapi/v1/trace/write/00062c53a468cbd8077e7dd079846870`, { [urn]: [] }, bearer(forged))).body.message).toBe(
      'token signature is not valid',
    );
    const expired = await token({ scope: 'read write' }, { expires: Math.floor(Date.now() / 1000) - 60 });
    const res = await request('GET', `${gms.url}/openapi/v3/entity/dataset/${enc(urn)}`, undefined, bearer(expired));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('token has expired');
  });

  it('answers 403 when the scope is missing: writes need write, reads and traces need read', async () => {
    const reader = await token({ scope: 'read' });
    const writer = await token({ scope: 'write' });
    const write = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }], bearer(reader));
    expect(write.status).toBe(403);
    expect(write.body.message).toBe('the token lacks the "write" scope');
    const trace = await request('POST', `${gms.url}/openapi/v1/trace/write/00062c53a468cbd8077e7dd079846870`, { [urn]: ['status'] }, bearer(writer));
    expect(trace.status).toBe(403);
    const patch = await request(
      'PATCH',
      `${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status`,
      [{ op: 'add', path: '/removed', value: true }],
      bearer(reader),
    );
    expect(patch.status).toBe(403);
    expect(patch.body.message).toBe('the token lacks the "write" scope');
    expect(
      (await request('PATCH', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: [{ op: 'remove', path: '/removed' }] } }], {})).status,
    ).toBe(401);
  });

  it('records the token subject as the writer in the audit trail', async () => {
    const both = await token({ scope: 'read write' }, { sub: 'bob' });
    const res = await request('POST', `${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status`, { value: { removed: true } }, bearer(both));
    expect(res.status).toBe(200);
    const audit = await request('GET', `${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status/versions`, undefined, bearer(both));
    expect(audit.status).toBe(200);
    expect(audit.body[audit.body.length - 1].createdBy).toBe('urn:li:corpuser:bob');
    const patched = await request(
      'PATCH',
      `${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/globalTags`,
      [{ op: 'add', path: '/tags/urn:li:tag:bobs', value: { tag: 'urn:li:tag:bobs' } }],
      bearer(both),
    );
    expect(patched.status).toBe(200);
    const tagAudit = await request('GET', `${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/globalTags/versions`, undefined, bearer(both));
    expect(tagAudit.body.map((v: { value: unknown; createdBy: string }) => [v.value, v.createdBy])).toEqual([
      [{ tags: [{ tag: 'urn:li:tag:bobs' }] }, 'urn:li:corpuser:bob'],
    ]);
    const async = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }], bearer(both));
    expect(async.status).toBe(202);
    const traced = await request(
      'POST',
      `${gms.url}/openapi/v1/trace/write/${traceIdOf(async.headers.get('traceparent'))}?onlyIncludeErrors=false`,
      { [urn]: ['status'] },
      bearer(both),
    );
    expect(traced.status).toBe(200);
  });
});

describe('authentication configuration', () => {
  it('refuses to start with authentication on and no key, naming the variable', async () => {
    const app = await AppProcess.start('gms', { AUTH_ENABLED: 'true', AUTH_JWT_SECRET: '' });
    expect(await app.waitForExit(30000)).not.toBe(0);
    expect(app.output.trim()).toBe('Invalid configuration: AUTH_JWT_SECRET (or AUTH_JWKS_URL) must be set while AUTH_ENABLED=true');
  });

  it('lets everything through when turned off (local experiments)', async () => {
    const app = await AppProcess.start('gms', { AUTH_ENABLED: 'false' });
    try {
      await app.waitHealthy();
      expect((await postJson(`${app.url}/openapi/v1/trace/write/00062c53a468cbd8077e7dd079846870`, { [urn]: ['status'] })).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
