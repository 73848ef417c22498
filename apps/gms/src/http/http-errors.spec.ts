import { Controller, Get, INestApplication, Param, Query } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { PublishError } from '@lib/kafka';
import { AspectVersionMismatch, InvalidProposal, PatchNotApplicable, ProposalRejected } from '@lib/ingest';
import { parseUrn } from '@lib/metadata';
import { TraceRequestError } from '@lib/trace';
import { BatchWriteQuery, ReadQuery, SingleAspectWriteQuery, VersionsQuery } from '../entity/entity.query';
import { unavailableOnOutage } from '../entity/outage';
import { TraceQuery } from '../trace/trace.query';
import { DomainErrorsFilter } from './domain-errors.filter';
import { QueryDtoPipe } from './query';

const ERRORS: Record<string, () => unknown> = {
  mismatch: () => {
    throw new AspectVersionMismatch('3', 4);
  },
  createCondition: () => {
    throw new ProposalRejected('Entity already exists and createIfEntityNotExists is true', 412);
  },
  patch: () => {
    throw new PatchNotApplicable('test failed at /description');
  },
  invalid: () => {
    throw new InvalidProposal('status.removed must be boolean');
  },
  trace: () => {
    throw new TraceRequestError('body must name at least one URN');
  },
  urn: () => parseUrn('urn:li:dataset:(oops'),
  kafka: () => unavailableOnOutage(() => Promise.reject(new PublishError('Kafka did not accept the write within 2000 ms'))),
  storage: () => unavailableOnOutage(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:3306'))),
  bug: () => unavailableOnOutage(() => Promise.reject(new TypeError('x is undefined'))),
  plain: () => {
    throw new Error('something else');
  },
};

@Controller()
class ProbeController {
  @Get('batch') batch(@Query() q: BatchWriteQuery): BatchWriteQuery {
    return q;
  }
  @Get('one') one(@Query() q: SingleAspectWriteQuery): SingleAspectWriteQuery {
    return q;
  }
  @Get('read') read(@Query() q: ReadQuery): ReadQuery {
    return q;
  }
  @Get('versions') versions(@Query() q: VersionsQuery): VersionsQuery {
    return q;
  }
  @Get('trace') trace(@Query() q: TraceQuery): TraceQuery {
    return q;
  }
  /** Named values and path parameters are not the pipe's business: they arrive exactly as sent. */
  @Get('raw/:n') raw(@Param('n') n: number, @Query('async') async: boolean, @Query('limit') limit: number): unknown {
    return { n: [typeof n, n], async: [typeof async, async], limit: [typeof limit, limit] };
  }
  @Get('throw/:kind') throw(@Param('kind') kind: string): unknown {
    return ERRORS[kind]();
  }
}

describe('query DTOs and DomainErrorsFilter over HTTP', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [
        { provide: APP_PIPE, useClass: QueryDtoPipe },
        { provide: APP_FILTER, useClass: DomainErrorsFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  const get = (path: string) => request(app.getHttpServer()).get(path);

  it.each([
    ['/batch', { async: true, systemMetadata: false }],
    ['/batch?async=', { async: true, systemMetadata: false }],
    ['/batch?async=FALSE&systemMetadata=True', { async: false, systemMetadata: true }],
    ['/batch?unknown=1', { async: true, systemMetadata: false }],
    ['/one', { async: false, systemMetadata: false, createIfNotExists: true, createIfEntityNotExists: false }],
    [
      '/one?async=true&createIfNotExists=false&createIfEntityNotExists=TRUE',
      { async: true, systemMetadata: false, createIfNotExists: false, createIfEntityNotExists: true },
    ],
    ['/read?systemMetadata=true', { systemMetadata: true }],
    ['/trace', { onlyIncludeErrors: true, detailed: false, skipCache: false }],
    ['/trace?onlyIncludeErrors=false&skipCache=TRUE', { onlyIncludeErrors: false, detailed: false, skipCache: true }],
    ['/trace?waitMs=0', { onlyIncludeErrors: true, detailed: false, skipCache: false, waitMs: 0 }],
    ['/trace?waitMs=30000', { onlyIncludeErrors: true, detailed: false, skipCache: false, waitMs: 30000 }],
    ['/versions', { limit: 100 }],
    ['/versions?limit=1', { limit: 1 }],
    ['/versions?limit=1000', { limit: 1000 }],
    ['/versions?limit=007', { limit: 7 }],
  ])('%s -> %j', async (path, expected) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
  });

  it.each([
    ['/batch?async=maybe', 'query parameter async must be true or false'],
    ['/batch?async=1', 'query parameter async must be true or false'],
    ['/batch?async=true%20', 'query parameter async must be true or false'],
    ['/batch?async=true&async=false', 'query parameter async must be true or false'],
    ['/batch?async=%00', 'query parameter async must be true or false'],
    ['/batch?async=yes&systemMetadata=no', 'query parameter async must be true or false'],
    ['/batch?systemMetadata=no', 'query parameter systemMetadata must be true or false'],
    ['/one?createIfNotExists=nope', 'query parameter createIfNotExists must be true or false'],
    ['/one?createIfEntityNotExists=0', 'query parameter createIfEntityNotExists must be true or false'],
    ['/read?systemMetadata=yes', 'query parameter systemMetadata must be true or false'],
    ['/trace?detailed=perhaps', 'query parameter detailed must be true or false'],
    ['/trace?skipCache=tru&onlyIncludeErrors=x', 'query parameter onlyIncludeErrors must be true or false'],
    ['/trace?waitMs=soon', 'Validation failed (numeric string is expected)'],
    ['/trace?waitMs=', 'Validation failed (numeric string is expected)'],
    ['/trace?waitMs=30001', 'waitMs must be a whole number from 0 to 30000, not 30001'],
    ['/trace?waitMs=-1', 'waitMs must be a whole number from 0 to 30000, not -1'],
    ['/versions?limit=abc', 'Validation failed (numeric string is expected)'],
    ['/versions?limit=1.5', 'Validation failed (numeric string is expected)'],
    ['/versions?limit=1e3', 'Validation failed (numeric string is expected)'],
    ['/versions?limit=', 'Validation failed (numeric string is expected)'],
    ['/versions?limit=0x10', 'Validation failed (numeric string is expected)'],
    ['/versions?limit=1&limit=2', 'Validation failed (numeric string is expected)'],
    ['/versions?limit=0', 'limit must be a whole number from 1 to 1000, not 0'],
    ['/versions?limit=-5', 'limit must be a whole number from 1 to 1000, not -5'],
    ['/versions?limit=1001', 'limit must be a whole number from 1 to 1000, not 1001'],
    ['/versions?limit=99999999999999999999', 'limit must be a whole number from 1 to 1000, not 100000000000000000000'],
  ])('%s is a 400: %s', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.text).toBe(JSON.stringify({ message, error: 'Bad Request', statusCode: 400 }));
  });

  it('leaves named query values and path parameters as they came', async () => {
    const res = await get('/raw/12?async=maybe&limit=abc');
    expect(res.body).toEqual({ n: ['string', '12'], async: ['string', 'maybe'], limit: ['string', 'abc'] });
  });

  it.each([
    ['mismatch', 412, { statusCode: 412, message: 'Expected version 3, actual version 4', error: 'AspectVersionMismatch' }],
    ['createCondition', 412, { statusCode: 412, message: 'Entity already exists and createIfEntityNotExists is true', error: 'Error' }],
    ['patch', 409, { statusCode: 409, message: 'test failed at /description', error: 'PatchNotApplicable' }],
    ['invalid', 400, { statusCode: 400, message: 'status.removed must be boolean', error: 'InvalidProposal' }],
    ['trace', 400, { message: 'body must name at least one URN', error: 'Bad Request', statusCode: 400 }],
    ['kafka', 503, { message: 'Kafka did not accept the write within 2000 ms', error: 'Service Unavailable', statusCode: 503 }],
    ['storage', 503, { message: 'storage unavailable: connect ECONNREFUSED <address>', error: 'Service Unavailable', statusCode: 503 }],
    ['bug', 500, { statusCode: 500, message: 'Internal server error' }],
    ['plain', 500, { statusCode: 500, message: 'Internal server error' }],
  ])('%s -> %d with the JSON error shape, byte for byte', async (kind, status, body) => {
    const res = await get(`/throw/${kind}`);
    expect(res.status).toBe(status);
    expect(res.text).toBe(JSON.stringify(body));
    // A dependency outage says when to try again; nothing else does.
    expect(res.headers['retry-after']).toBe(status === 503 ? '5' : undefined);
  });

  it('a URN error is a 400 with its message', async () => {
    const res = await get('/throw/urn');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'Bad Request', statusCode: 400, message: expect.stringMatching(/^Invalid URN /) });
  });
});
