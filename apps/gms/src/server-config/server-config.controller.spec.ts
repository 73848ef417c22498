import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ServerConfigModule } from './server-config.module';
import { REFERENCE_API_VERSION, serverConfig } from './server-config';

/**
 * The DataHub SDK's reading of a version string (server_config_util.py, RestServiceConfig._parse_version):
 * strip a leading "v", then `(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?` followed by an optional rc or "-" suffix.
 */
function sdkVersion(v: string): number[] {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.startsWith('v') ? v.slice(1) : v);
  if (!m) throw new Error(`unparsable ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
}
const atLeast = (a: number[], b: number[]) => {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
};

describe('GET /config', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ServerConfigModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });
  afterAll(() => app.close());

  it('answers 200 JSON with noCode as the string "true"', async () => {
    const res = await request(app.getHttpServer())
      .get('/config')
      .expect(200)
      .expect('content-type', /application\/json/);
    expect(res.body.noCode).toBe('true');
    expect(res.body).toEqual(serverConfig());
  });

  it('is read by the SDK as core, with OPEN_API_SDK and API_TRACING on (>= 1.0.1) and nothing newer', () => {
    const c = serverConfig();
    expect(c.datahub.serverEnv).toBe('core');
    const v = sdkVersion(c.versions['acryldata/datahub'].version);
    expect(c.versions['acryldata/datahub'].version).toBe(REFERENCE_API_VERSION);
    expect(atLeast(v, [1, 0, 1, 0])).toBe(true); // OPEN_API_SDK, API_TRACING
    expect(atLeast(v, [1, 7, 0, 1])).toBe(false); // ASSERTION_NOTE_ASPECT: not claimed
  });

  it('claims PATCH, and no feature we lack', () => {
    const c = serverConfig();
    expect(c.patchCapable).toBe(true);
    expect([c.statefulIngestionCapable, c.supportsImpactAnalysis, c.managedIngestion.enabled, c.telemetry.enabledCli]).toEqual([false, false, false, false]);
  });
});
