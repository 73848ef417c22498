import { Controller, ForbiddenException, Get, INestApplication, Module, Param, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { httpMetricsMiddleware } from './http-metrics.middleware';
import { Metrics } from './metrics';
import { MetricsModule } from './metrics.module';

@Controller('openapi/v3/entity')
class EntityLikeController {
  @Post(':entityName')
  write(@Param('entityName') _entity: string) {
    return [];
  }

  @Get(':entityName/:urn/:aspectName')
  read() {
    return {};
  }

  @Get('forbidden/thing')
  forbidden() {
    throw new ForbiddenException('no');
  }
}

@Module({ imports: [MetricsModule], controllers: [EntityLikeController] })
class TestModule {}

describe('httpMetricsMiddleware and GET /metrics', () => {
  let app: INestApplication;
  let metrics: Metrics;

  beforeAll(async () => {
    const ref = await Test.createTestingModule({ imports: [TestModule] }).compile();
    app = ref.createNestApplication({ logger: false });
    metrics = app.get(Metrics);
    app.use(httpMetricsMiddleware(metrics));
    await app.init();
  });

  afterAll(() => app.close());

  const scrape = async () => {
    const res = await request(app.getHttpServer()).get('/metrics');
    expect(res.status).toBe(200);
    return res;
  };

  it('labels a request with the Nest route pattern, never the raw URL (URNs would explode cardinality)', async () => {
    const urn = 'urn:li:dataset:(urn:li:dataPlatform:hive,db.users,PROD)';
    await request(app.getHttpServer())
      .get(`/openapi/v3/entity/dataset/${encodeURIComponent(urn)}/status`)
      .expect(200);
    await request(app.getHttpServer())
      .get(`/openapi/v3/entity/dataset/${encodeURIComponent(urn + 'x')}/status`)
      .expect(200);
    await request(app.getHttpServer()).post('/openapi/v3/entity/dataset').send([]).expect(201);
    const text = (await scrape()).text;
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/openapi/v3/entity/:entityName/:urn/:aspectName",status="200"} 2');
    expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/openapi/v3/entity/:entityName",status="201"} 1');
    expect(text).not.toContain('urn:li');
  });

  it('records errors with their status, and what no route matched as "unmatched"', async () => {
    await request(app.getHttpServer()).get('/openapi/v3/entity/forbidden/thing').expect(403);
    await request(app.getHttpServer()).get('/no/such/path/urn:li:corpuser:x').expect(404);
    const text = (await scrape()).text;
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/openapi/v3/entity/forbidden/thing",status="403"} 1');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain('corpuser');
  });

  it('serves the registry as text/plain; version=0.0.4, with the default process metrics', async () => {
    const res = await scrape();
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('trace_offset_cache_total{result="hit"}');
  });
});
