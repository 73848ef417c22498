import { execFileSync } from 'child_process';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { validateEnv, Settings } from '@lib/config';
import { EntityRegistry } from '@lib/metadata';
import { GmsModule } from './gms.module';
import { operationsOf } from './http/openapi-document';
import { buildOpenApiDocument } from './swagger';

/**
 * The published OpenAPI document is the contract: it is built here exactly as the service builds it (the whole
 * GmsModule, with both consumers embedded, through buildOpenApiDocument), without Kafka, MySQL or OpenSearch - the app
 * is created but never initialised, so nothing connects - then validated against the OpenAPI 3.0 schema by a kept
 * validator (@seriousme/openapi-schema-validator) and held to the rules every route shares.
 */
/**
 * The validator is an ES module, which Jest's CommonJS runtime cannot load: Node runs it, on the document sent
 * through stdin, and prints its verdict `{valid, errors}`.
 */
function validateOpenApi(document: OpenAPIObject): { valid: boolean; errors?: unknown } {
  const script =
    "import { Validator } from '@seriousme/openapi-schema-validator';" +
    "import { readFileSync } from 'node:fs';" +
    "const r = await new Validator().validate(JSON.parse(readFileSync(0, 'utf8')));" +
    'process.stdout.write(JSON.stringify({ valid: r.valid, errors: r.errors }));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname, input: JSON.stringify(document), encoding: 'utf8' });
  return JSON.parse(out) as { valid: boolean; errors?: unknown };
}

const ENV = { AUTH_ENABLED: 'true', AUTH_JWT_SECRET: 'unit-only-secret-0123456789abcdef0123456789', RUN_CONSUMERS: 'mce,mae', LOG_LEVEL: 'error' };

describe('the OpenAPI document', () => {
  let app: NestExpressApplication;
  let document: OpenAPIObject;
  let registry: EntityRegistry;
  const saved = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, ENV);
    const settings = new Settings(validateEnv(process.env));
    app = await NestFactory.create<NestExpressApplication>(GmsModule.register(settings), { logger: false, abortOnError: false });
    document = buildOpenApiDocument(app);
    registry = app.get(EntityRegistry);
  });
  afterAll(() => {
    process.env = saved;
  });

  const operations = () => operationsOf(document);
  const label = (o: { method: string; path: string }) => `${o.method.toUpperCase()} ${o.path}`;
  const responsesOf = (o: { operation: { responses: Record<string, unknown> } }) => Object.entries(o.operation.responses) as [string, ResponseObject][];

  it('is a valid OpenAPI 3.0 document', () => {
    const result = validateOpenApi(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.0\./);
  });

  it('has every route of the service, the trace page excepted', () => {
    expect(operations().map(label).sort()).toEqual(
      [
        'DELETE /openapi/v3/entity/{entityName}/{urn}',
        'DELETE /openapi/v3/entity/{entityName}/{urn}/{aspectName}',
        'GET /aspects/{urn}',
        'GET /config',
        'GET /entitiesV2/{urn}',
        'GET /health',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'GET /openapi/v1/consumers',
        'GET /openapi/v1/trace/{traceId}/spans',
        'GET /openapi/v3/entity/{entityName}/{urn}',
        'GET /openapi/v3/entity/{entityName}/{urn}/{aspectName}',
        'GET /openapi/v3/entity/{entityName}/{urn}/{aspectName}/versions',
        'PATCH /openapi/v3/entity/{entityName}',
        'PATCH /openapi/v3/entity/{entityName}/{urn}/{aspectName}',
        'POST /entities',
        'POST /openapi/v1/trace/write/{traceId}',
        'POST /openapi/v3/entity/{entityName}',
        'POST /openapi/v3/entity/{entityName}/{urn}/{aspectName}',
        'POST /v1/traces',
      ].sort(),
    );
  });

  it('declares a body schema for every answer, and for every error the one error schema (ApiError)', () => {
    const missing: string[] = [];
    for (const o of operations()) {
      for (const [status, response] of responsesOf(o)) {
        const media = Object.entries(response.content ?? {});
        if (media.length === 0 || media.some(([, m]) => !m.schema)) missing.push(`${label(o)} ${status}: no body schema`);
        const isHealth = o.path.startsWith('/health') || o.path === '/metrics';
        const schema = response.content?.['application/json']?.schema as { $ref?: string } | undefined;
        if (Number(status) >= 400 && !isHealth && schema?.$ref !== '#/components/schemas/ApiError') {
          missing.push(`${label(o)} ${status}: not ApiError`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(document.components?.schemas?.ApiError).toMatchObject({ required: ['statusCode', 'message'] });
  });

  it('documents 401 and 403 on every secured route and 503 (with Retry-After) on every route that needs storage', () => {
    const wrong: string[] = [];
    for (const o of operations()) {
      const statuses = Object.keys(o.operation.responses);
      const secured = (o.operation.security ?? []).length > 0;
      if (secured && !(statuses.includes('401') && statuses.includes('403'))) wrong.push(`${label(o)}: no 401/403`);
      if (!secured && (statuses.includes('401') || statuses.includes('403'))) wrong.push(`${label(o)}: public, yet 401/403`);
      for (const [status, response] of responsesOf(o)) {
        const retryAfter = response.headers?.['Retry-After'];
        const wants = status === '429' || (status === '503' && secured);
        if (wants !== Boolean(retryAfter && 'required' in retryAfter && retryAfter.required)) wrong.push(`${label(o)} ${status}: Retry-After`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('puts traceparent on every answer, and Link on every answer of a write route', () => {
    const wrong: string[] = [];
    for (const o of operations()) {
      const write = o.method !== 'get' && o.path.startsWith('/openapi/v3/entity');
      for (const [status, response] of responsesOf(o)) {
        if (!response.headers?.traceparent) wrong.push(`${label(o)} ${status}: no traceparent`);
        if (write !== Boolean(response.headers?.Link)) wrong.push(`${label(o)} ${status}: Link`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no header parameter for what the request body says (its media type)', () => {
    const headers = operations().flatMap((o) =>
      ((o.operation.parameters ?? []) as ParameterObject[]).filter((p) => p.in === 'header').map((p) => `${label(o)} ${p.name}`),
    );
    expect(headers.filter((h) => /content-type|accept|authorization/i.test(h))).toEqual([]);
  });

  it('bounds every path parameter (an enum of the registry, or a pattern and a length; with an example) and every integer query parameter', () => {
    const loose: string[] = [];
    for (const o of operations()) {
      for (const p of (o.operation.parameters ?? []) as ParameterObject[]) {
        const s = p.schema as SchemaObject;
        if (p.in === 'path' && !s.enum && !(s.pattern && s.maxLength)) loose.push(`${label(o)} ${p.name}`);
        // Swagger UI's "Try it out" and schemathesis's examples phase start from it.
        if (p.in === 'path' && s.example === undefined) loose.push(`${label(o)} ${p.name}: no example`);
        if (p.in === 'query' && s.type === 'integer' && (s.minimum === undefined || s.maximum === undefined)) loose.push(`${label(o)} ?${p.name}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it("takes the registry's names: entity types, aspects, and URNs of its entity types", () => {
    const param = (path: string, name: string, method = 'get') =>
      (document.paths[path][method as 'get']!.parameters as ParameterObject[]).find((p) => p.name === name)!.schema as SchemaObject;
    expect(param('/openapi/v3/entity/{entityName}/{urn}', 'entityName').enum).toEqual(registry.entityNames());
    expect(param('/openapi/v3/entity/{entityName}/{urn}/{aspectName}', 'aspectName').enum).toContain('datasetProperties');
    // GET /aspects reads stored versions: no timeseries aspect.
    const aspect = param('/aspects/{urn}', 'aspect').enum;
    expect(aspect).toContain('status');
    expect(aspect).not.toContain('datasetProfile');
    const urn = new RegExp(param('/aspects/{urn}', 'urn').pattern!, 'u');
    expect(urn.test('urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)')).toBe(true);
    expect(urn.test('urn:li:corpuser:jdoe')).toBe(true);
    expect(urn.test('urn:li:unknownType:x')).toBe(false);
    expect(urn.test('urn:li:corpuser:jdoe ')).toBe(false);
    expect(urn.test('urn:li:corpuser:a\u0000b')).toBe(false);
    // The URNs of request bodies too (the batch write's, the hard delete's).
    const batch = document.paths['/openapi/v3/entity/{entityName}'].post!.requestBody as { content: Record<string, { schema: SchemaObject }> };
    const item = batch.content['application/json'].schema.items as SchemaObject;
    expect((item.properties!.urn as SchemaObject).pattern).toBe(param('/aspects/{urn}', 'urn').pattern);
    expect(JSON.stringify(document.paths['/entities'].post!.requestBody)).toContain(JSON.stringify(param('/aspects/{urn}', 'urn').pattern));
    const aspects = new RegExp(param('/entitiesV2/{urn}', 'aspects').pattern!, 'u');
    expect(['List()', 'List(status)', 'List(datasetProperties,status)'].every((v) => aspects.test(v))).toBe(true);
    expect(['List(nope)', 'status', 'List(status,)'].some((v) => aspects.test(v))).toBe(false);
  });

  it('accepts as trace id what the trace routes take', () => {
    const traceId = (document.paths['/openapi/v1/trace/write/{traceId}'].post!.parameters as ParameterObject[])[0].schema as SchemaObject;
    const re = new RegExp(traceId.pattern!, 'u');
    expect(re.test('00062c53a468cbd8077e7dd079846870')).toBe(true);
    expect(re.test('00-00062C53A468CBD8077E7DD079846870-9199effb49910b4e-01')).toBe(true);
    expect(re.test(' 00062c53a468cbd8077e7dd079846870\t')).toBe(true);
    expect(re.test('00062c53a468cbd8077e7dd07984687')).toBe(false);
    expect(re.test('00000000000000000000000000000000')).toBe(false);
    expect(re.test('00-00000000000000000000000000000000-9199effb49910b4e-01')).toBe(false);
    expect(re.test('not a trace id')).toBe(false);
  });
});
