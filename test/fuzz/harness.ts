import fc from 'fast-check';
import { appendFileSync } from 'fs';
import { Agent, request as httpRequest } from 'http';
import type { Admin } from 'kafkajs';
import { gzipSync } from 'zlib';
import { TimePrefixedIdGenerator } from '@lib/telemetry';
import { AppProcess } from '../support/app-process';
import { dropNamespace, ownNamespace } from '../support/namespace';
import { kafka, sqlConnection } from '../support/stores';
import { messageCount } from '../support/topics';

/**
 * Shared by the HTTP fuzz suites of test/fuzz/ (one suite per route): the service under test on a namespace
 * of its own, the request cases and what each must get, the fast-check arbitraries that make them, and the
 * look at Kafka and SQL afterwards.
 *
 * Every answer must be a 4xx with a JSON `message` (or the 2xx/404 a valid request earns), never a 5xx, never
 * slower than HANG_MS, always with a traceparent; afterwards Kafka and SQL hold exactly what the accepted
 * requests wrote and nothing of the rejected ones.
 *
 * Each suite's app runs on topics, groups and indices of that suite's run only (suffix `_fuzz<route><run>`),
 * deleted afterwards: a fuzz input that slips through as a poison message must never reach another suite's
 * consumers. FUZZ_SEED overrides the fixed seed (each property adds its own `seedOffset` to it: a failure
 * prints the seed it ran with, and its path); FUZZ_KEEP=1 keeps the topics and indices for a look after a
 * failure; FUZZ_DUMP=<file> appends every request that got a wrong answer to <file>, one JSON line per burst.
 * The service runs without authentication (AUTH_ENABLED=false, as for every e2e suite but test/auth), so no
 * token is needed.
 */

export const SEED = Number(process.env.FUZZ_SEED ?? 20251125);
export const LIMIT = 262144; // MAX_REQUEST_BYTES of the app under test
export const MAX_BATCH = 1000; // MAX_BATCH_ASPECTS default
/** Requests of one property run, sent at once (as the old single-file fuzzer's 8 connections did). */
export const BURST = 8;
export const HANG_MS = 5000; // no answer may take longer
export const DEPTH = 10_000;
export const W = '/openapi/v3/entity';
export const T = (id: string, query = '') => `/openapi/v1/trace/write/${id}${query}`;
export const enc = encodeURIComponent;
export const json = (v: unknown) => JSON.stringify(v);
export const ds = (k: string) => `urn:li:dataset:(urn:li:dataPlatform:hive,${k},PROD)`;
export const deepArray = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
export const deepObject = (d: number) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
export const traceIds = new TimePrefixedIdGenerator();

/** This process's run id: every URN a suite writes carries it, so no two runs (or suites) share a row. */
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
let seq = 0;
/** A fresh URN key for hand-picked cases (the arbitraries draw theirs: see `freshKey`). */
export const key = () => `fz${RUN}_h${seq++}`;

// ---- cases -----------------------------------------------------------------------------------------

/** What a request must get: decided before it is sent. `rows`/`noRows` are URNs SQL must (not) hold afterwards. */
export type Expect =
  | { kind: 'reject'; status?: number[]; noRows: string[] } // a 4xx (one of `status` when given) with a JSON message
  | { kind: 'async'; mcp: number; rows: string[]; noRows?: string[] } // 202: `mcp` proposals on the MCP topic
  | { kind: 'sync'; rows: string[] } // 200: stored before the answer
  | { kind: 'precondition'; noRows: string[] } // 412 from a sync conditional write
  | { kind: 'read' } // 200 or 404
  | { kind: 'trace' } // 200 with an object
  | { kind: 'either'; mcp: number; urns: string[] }; // 202 (then written) or a 4xx (then nothing)

export interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** No content-type is added (the case sets its own, or none at all). */
  rawContentType?: boolean;
  expect: Expect;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}...(${s.length} chars)` : s);
/** One line for a case: what fast-check prints for a counterexample (a 60k-deep body is not worth printing whole). */
export const describeCase = (c: Case) =>
  `${c.name} | ${c.method} ${clip(c.path, 160)} | ${c.headers ? clip(json(c.headers), 160) + ' | ' : ''}${
    c.body === undefined ? 'no body' : Buffer.isBuffer(c.body) ? `${c.body.length} bytes` : clip(json(c.body), 200)
  } | expect ${json(c.expect).slice(0, 120)}`;
/** A case as fast-check shows it. */
export const fuzzCase = (c: Case): Case => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) });

// ---- sending and judging ---------------------------------------------------------------------------

export interface Answer {
  status: number;
  ms: number;
  contentType?: string;
  traceparent?: string;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body?: any;
  error?: string;
}

export function send(base: URL, agent: Agent, c: Case): Promise<Answer> {
  const t0 = performance.now();
  const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
  const headers: Record<string, string | number> = {
    accept: 'application/json',
    ...(body !== undefined && !c.rawContentType ? { 'content-type': 'application/json' } : {}),
    ...(c.headers ?? {}),
  };
  if (body !== undefined) headers['content-length'] = body.length;
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...a, ms: performance.now() - t0 });
    };
    const req = httpRequest({ host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        done({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          traceparent: res.headers.traceparent as string | undefined,
          text,
          body: parsed,
        });
      });
      res.on('error', (err) => done({ status: res.statusCode ?? 0, text: '', error: err.message }));
    });
    req.setTimeout(HANG_MS * 2, () => req.destroy(new Error(`no answer within ${HANG_MS * 2} ms`)));
    // The server may answer (413, 431) and close before the whole body is written: keep the answer.
    req.on('error', (err) => setTimeout(() => done({ status: 0, text: '', error: err.message }), 50));
    req.end(body);
  });
}

/** What is wrong with an answer, or undefined. */
export function verdict(c: Case, a: Answer): string | undefined {
  if (a.error && a.status === 0) return `no answer: ${a.error}`;
  if (a.status >= 500) return `${a.status} (a server error)`;
  if (a.ms > HANG_MS) return `took ${Math.round(a.ms)} ms`;
  // Every answer carries the trace it was served under, except the HTTP server's own 431 (no app involved).
  if (a.status !== 431 && !/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/.test(a.traceparent ?? '')) return `${a.status} without a traceparent`;
  const isJson = a.body !== undefined && /^application\/json/.test(a.contentType ?? '');
  const jsonError = () =>
    isJson && typeof a.body?.message === 'string'
      ? undefined
      : `${a.status} without a JSON {message}: ${a.contentType ?? 'no content-type'} ${JSON.stringify(a.text.slice(0, 80))}`;
  const e = c.expect;
  switch (e.kind) {
    case 'reject':
      if (a.status < 400) return `${a.status}, expected a 4xx`;
      if (e.status && !e.status.includes(a.status)) return `${a.status}, expected ${e.status.join('/')}`;
      return jsonError();
    case 'async':
      return a.status === 202 && isJson ? undefined : `${a.status}, expected 202`;
    case 'sync':
      return a.status === 200 && isJson ? undefined : `${a.status}, expected 200`;
    case 'precondition':
      return a.status === 412 ? jsonError() : `${a.status}, expected 412`;
    case 'read':
      if (a.status === 200) return isJson ? undefined : 'a 200 that is not JSON';
      return a.status === 404 ? jsonError() : `${a.status}, expected 200 or 404`;
    case 'trace':
      return a.status === 200 && isJson && !Array.isArray(a.body) && typeof a.body === 'object' ? undefined : `${a.status}, expected 200 with an object`;
    case 'either':
      if (a.status === 202) return undefined;
      return a.status >= 400 && a.status < 500 ? jsonError() : `${a.status}, expected 202 or a 4xx`;
  }
}

// ---- the service under test ------------------------------------------------------------------------

/**
 * One fuzz suite's service: gms with both consumers embedded, on a namespace of its own. Every request sent
 * through it is booked (`send`), so `storesMatch` can tell afterwards what Kafka and SQL must and must not hold -
 * including the requests fast-check sends again while it shrinks a failure.
 */
export class FuzzTarget {
  readonly base: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: BURST });
  private expectedMcp = 0;
  private readonly mustHave = new Set<string>();
  private readonly mustNotHave = new Set<string>();
  private readonly statuses: Record<number, number> = {};
  private sent = 0;
  private slowest = 0;

  private constructor(
    readonly route: string,
    readonly gms: AppProcess,
    readonly env: Record<string, string>,
    private readonly mcpBefore: bigint,
  ) {
    this.base = new URL(gms.url);
  }

  /** `route`: a short name for the suite's namespace (lower-case letters). */
  static async start(route: string): Promise<FuzzTarget> {
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const env = ownNamespace(`${process.env.E2E_SUFFIX ?? '_e2e'}_fuzz${route}${run}`);
    // SHUTDOWN_ACCEPT_MS=0: nothing is in flight when a suite stops its app; no need to keep accepting.
    const gms = await AppProcess.start('gms', { ...env, RUN_CONSUMERS: 'mce,mae', MAX_REQUEST_BYTES: String(LIMIT), SHUTDOWN_ACCEPT_MS: '0' });
    try {
      await gms.waitHealthy();
    } catch (err) {
      await gms.stop();
      throw err;
    }
    // The app created the MCP topic on its way up.
    return new FuzzTarget(route, gms, env, await messageCount(kafka(), env.TOPIC_MCP));
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    console.log(`fuzz ${this.route}: ${this.sent} requests (slowest ${Math.round(this.slowest)} ms, seed ${SEED}); statuses ${JSON.stringify(this.statuses)}`);
    await this.gms.stop();
    if (!process.env.FUZZ_KEEP) await dropNamespace(this.env);
  }

  /** Sends a case and books what its answer means for the stores. */
  async send(c: Case): Promise<Answer> {
    const a = await send(this.base, this.agent, c);
    this.sent++;
    this.slowest = Math.max(this.slowest, a.ms);
    this.statuses[a.status] = (this.statuses[a.status] ?? 0) + 1;
    const e = c.expect;
    const accepted = a.status === 202 || a.status === 200;
    if (e.kind === 'async') {
      this.expectedMcp += e.mcp;
      e.rows.forEach((u) => this.mustHave.add(u));
      e.noRows?.forEach((u) => this.mustNotHave.add(u));
    } else if (e.kind === 'sync') e.rows.forEach((u) => this.mustHave.add(u));
    else if (e.kind === 'either') {
      if (accepted) this.expectedMcp += e.mcp;
      e.urns.forEach((u) => (accepted ? this.mustHave : this.mustNotHave).add(u));
    } else if (e.kind === 'reject' || e.kind === 'precondition') e.noRows.forEach((u) => this.mustNotHave.add(u));
    return a;
  }

  /** Sends the cases BURST at a time; throws with every wrong answer (one line each) if there is any. */
  async expectAnswers(cases: Case[]): Promise<void> {
    const problems: string[] = [];
    const wrong: unknown[] = [];
    for (let i = 0; i < cases.length; i += BURST) {
      const burst = cases.slice(i, i + BURST);
      const answers = await Promise.all(burst.map((c) => this.send(c)));
      burst.forEach((c, j) => {
        const why = verdict(c, answers[j]);
        if (!why) return;
        problems.push(`${describeCase(c)} => ${why} | ${JSON.stringify(answers[j].text.slice(0, 160))}`);
        wrong.push({ ...c, body: Buffer.isBuffer(c.body) ? `base64:${c.body.toString('base64')}` : c.body, answer: answers[j] });
      });
    }
    if (problems.length) {
      // The whole of every request that got a wrong answer, to replay it by hand.
      if (process.env.FUZZ_DUMP) appendFileSync(process.env.FUZZ_DUMP, `${JSON.stringify(wrong)}\n`);
      throw new Error(`${problems.length} wrong answers:\n${problems.slice(0, 40).join('\n')}`);
    }
  }

  /**
   * The property every fuzz suite checks: every request of a burst of up to BURST made by `arb`, sent at once,
   * gets its right answer. Fixed seed (SEED + `seedOffset`), so CI sends the same requests every run;
   * `examples` (hand-picked cases) are sent first, BURST at a time.
   */
  async check(arb: fc.Arbitrary<Case>, options: { numRuns: number; seedOffset: number; examples?: Case[] }): Promise<void> {
    const examples = (options.examples ?? []).map(fuzzCase);
    const bursts: [Case[]][] = [];
    for (let i = 0; i < examples.length; i += BURST) bursts.push([examples.slice(i, i + BURST)]);
    await fc.assert(
      fc.asyncProperty(fc.array(arb.map(fuzzCase), { minLength: 1, maxLength: BURST, size: 'max' }), (cases) => this.expectAnswers(cases)),
      { numRuns: options.numRuns, seed: SEED + options.seedOffset, examples: bursts },
    );
  }

  /**
   * What the stores hold once both consumers are through: the MCP topic grew by exactly the proposals of the
   * accepted requests, every accepted URN is stored under exactly the URN sent (quotes, --, /*, ; and all),
   * none of the rejected ones is, the table is intact, and the service is still healthy and still writing.
   */
  async storesMatch(): Promise<void> {
    const admin = kafka().admin();
    await admin.connect();
    let mcpMessages: number, mceLag: number, maeLag: number;
    try {
      mcpMessages = Number((await highWatermarks(admin, this.env.TOPIC_MCP)) - this.mcpBefore);
      // Both consumers get through everything that was accepted (a poison message would wedge them).
      mceLag = await settle(() => lag(admin, this.env.MCE_CONSUMER_GROUP, [this.env.TOPIC_MCP]), 60_000);
      maeLag = await settle(() => lag(admin, this.env.MAE_CONSUMER_GROUP, [this.env.TOPIC_MCL_VERSIONED, this.env.TOPIC_MCL_TIMESERIES]), 60_000);
    } finally {
      await admin.disconnect();
    }
    const stored = await storedUrns([...this.mustHave]);
    const acceptedNotStored = [...this.mustHave].filter((u) => !stored.has(u));
    const rejectedButStored = [...(await storedUrns([...this.mustNotHave]))];
    const sql = await sqlConnection();
    let tableHasRows: boolean;
    try {
      // Not COUNT(*): the table is shared with every other suite and the benchmark, and counting it takes seconds.
      const [rows] = await sql.query('SELECT 1 FROM metadata_aspect_v2 LIMIT 1');
      tableHasRows = (rows as unknown[]).length > 0;
    } finally {
      await sql.end();
    }
    const health = (await fetch(`${this.gms.url}/health`)).status;
    const after = await send(this.base, new Agent(), {
      name: 'after',
      method: 'POST',
      path: `${W}/dataset?async=false`,
      body: json([{ urn: ds(key()), status: { value: { removed: false } } }]),
      expect: { kind: 'sync', rows: [] },
    });
    // One comparison, so a failure shows everything that went wrong at once.
    expect({
      mcpMessages,
      mceLag,
      maeLag,
      // Why indexing is stuck, when it is: the MAE consumer's own words.
      maeError: maeLag === 0 ? undefined : /indexing \S+ failed, not committing: .{0,400}/.exec(this.gms.output)?.[0],
      acceptedNotStored: acceptedNotStored.slice(0, 10),
      rejectedButStored: rejectedButStored.slice(0, 10),
      tableStillThere: tableHasRows,
      healthAfter: health,
      writeAfter: after.status,
    }).toEqual({
      mcpMessages: this.expectedMcp,
      mceLag: 0,
      maeLag: 0,
      maeError: undefined,
      acceptedNotStored: [],
      rejectedButStored: [],
      tableStillThere: true,
      healthAfter: 200,
      writeAfter: 200,
    });
  }
}

/**
 * The suite's FuzzTarget for `route`, started before its tests and stopped after them (call it in the
 * suite's describe): the getter answers the running target.
 */
export function useFuzzTarget(route: string): () => FuzzTarget {
  let target: FuzzTarget | undefined;
  beforeAll(async () => {
    target = await FuzzTarget.start(route);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  }, 60_000);
  return () => {
    if (!target) throw new Error(`fuzz ${route}: the target is not running (did its beforeAll fail?)`);
    return target;
  };
}

export async function storedUrns(urns: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const sql = await sqlConnection();
  try {
    for (let i = 0; i < urns.length; i += 200) {
      const chunk = urns.slice(i, i + 200);
      if (chunk.length === 0) continue;
      const [rows] = await sql.query('SELECT DISTINCT urn FROM metadata_aspect_v2 WHERE urn IN (?)', [chunk]);
      for (const r of rows as { urn: string }[]) found.add(r.urn);
    }
  } finally {
    await sql.end();
  }
  return found;
}

/** Polls `probe` until it reads 0 or `ms` pass; returns the last value. */
async function settle(probe: () => Promise<number>, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let last = await probe();
  while (last !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    last = await probe();
  }
  return last;
}

/** Sum of a topic's high watermarks: grows by one for every message produced to it. */
async function highWatermarks(admin: Admin, topic: string): Promise<bigint> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + BigInt(p.high), 0n);
}

/** Messages of `topics` the group has not committed yet (a group that never committed counts everything). */
async function lag(admin: Admin, groupId: string, topics: string[]): Promise<number> {
  let total = 0;
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const topic of topics) {
    const high = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((t) => t.topic === topic)?.partitions ?? [];
    for (const p of high) {
      const c = Number(mine.find((m) => m.partition === p.partition)?.offset ?? -1);
      total += Number(p.high) - Math.max(c, Number(p.low), 0);
    }
  }
  return total;
}

// ---- arbitraries -----------------------------------------------------------------------------------

/**
 * A URN key no other request of the run uses: drawn without bias and never shrunk (a shrunk key would be
 * "" or "0" in every case, and a rejected write would then share the URN of an accepted one).
 */
export const freshKey = fc.noShrink(fc.noBias(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }))).map((n) => `fz${RUN}_${n.toString(36)}`);

/** Legal in a URN key, and poison to any SQL built by concatenation. */
export const INJECT = [
  "'",
  "''",
  '"',
  '--',
  '/* */',
  '/*',
  '*/',
  ';',
  '; DROP TABLE metadata_aspect_v2; --',
  "' OR '1'='1",
  "\\'",
  '\\',
  '%',
  '_',
  '#',
  '`',
  'é',
  '☕',
  '😀',
  '\u202e',
  '\u200b',
  ' x',
  ':',
  '.',
  '?',
  '&',
  '=',
  '+',
  '/',
  '..',
  '../../etc/passwd',
];
/** A fresh key followed by one to three pieces of INJECT. */
export const nastyKey = fc.tuple(freshKey, fc.array(fc.constantFrom(...INJECT), { minLength: 1, maxLength: 3 })).map(([k, xs]) => k + xs.join(''));

/** `arb` with probability about `p`, else undefined. */
const sometimes = <T>(p: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: Math.round((1 - p) * 10) }, { arbitrary: arb, weight: Math.round(p * 10) });

// Valid aspect values of a dataset, with content that is legal but nasty.
export const TEXT = [
  'plain',
  "it's",
  '"quoted"',
  '-- comment',
  '/* c */',
  "'; DROP TABLE metadata_aspect_v2; --",
  'é☕😀',
  'line\nbreak',
  'tab\tx',
  '\u202eevil',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '%s%n',
];
const text = fc.oneof(fc.constantFrom(...TEXT), fc.string({ maxLength: 40 }));
const oddKey = (...keys: string[]) => fc.constantFrom(...keys);
const NOW = Date.now();

export const VALUES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  status: fc.record({ removed: fc.boolean() }),
  datasetProperties: fc
    .tuple(text, oddKey('k', '__proto__', 'constructor', "a'b", 'toString'), text)
    .map(([description, k, v]) => ({ description, customProperties: { [k]: v } })),
  subTypes: text.map((t) => ({ typeNames: [t, 'Table'] })),
  globalTags: fc.constantFrom(...INJECT).map((x) => ({ tags: [{ tag: `urn:li:tag:${x}t` }] })),
  domains: fc.constant({ domains: ['urn:li:domain:finance'] }),
  datasetProfile: fc
    .tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 999 }))
    .map(([ago, rowCount]) => ({ timestampMillis: NOW - ago, rowCount })),
};
export const VERSIONED = ['status', 'datasetProperties', 'subTypes', 'globalTags', 'domains'];
export const isTimeseries = (aspect: string) => aspect === 'datasetProfile';
/** Any aspect name of a dataset this suite writes, and a valid value of it. */
export const aspectValue = fc.constantFrom(...VERSIONED, 'datasetProfile').chain((aspect) => VALUES[aspect].map((value) => ({ aspect, value })));

/** A valid batch item: 1-2 aspects, sometimes with systemMetadata and headers that are legal but odd. */
export function validItem(opts: { timeseries?: boolean } = {}) {
  const names = opts.timeseries === false ? VERSIONED : [...VERSIONED, 'datasetProfile'];
  return fc
    .tuple(
      nastyKey,
      fc.shuffledSubarray(names, { minLength: 1, maxLength: 2 }).chain((aspects) =>
        fc.tuple(
          ...aspects.map((aspect) =>
            fc.record({
              aspect: fc.constant(aspect),
              value: VALUES[aspect],
              systemMetadata: sometimes(
                0.3,
                fc.record({ runId: text, properties: fc.tuple(oddKey('p', '__proto__', "x'y"), text).map(([k, v]) => ({ [k]: v })) }),
              ),
              headers: isTimeseries(aspect)
                ? fc.constant(undefined)
                : sometimes(
                    0.2,
                    fc.oneof(
                      fc.constant({ 'If-Version-Match': '-1' }),
                      text.map((t) => ({ 'X-Note': t })),
                      fc.constant({ ['__proto__']: 'x' }),
                    ),
                  ),
              // An own "__proto__" key inside the value (as JSON.parse makes it): data, not a prototype.
              ownProto: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
            }),
          ),
        ),
      ),
    )
    .map(([k, aspects]) => {
      const urn = ds(k);
      const item: Record<string, unknown> = { urn };
      for (const a of aspects) {
        const value: Record<string, unknown> = { ...a.value };
        if (a.ownProto) Object.defineProperty(value, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
        item[a.aspect] = { value, ...(a.systemMetadata ? { systemMetadata: a.systemMetadata } : {}), ...(a.headers ? { headers: a.headers } : {}) };
      }
      return { item, urn, versioned: aspects.filter((a) => !isTimeseries(a.aspect)).length };
    });
}

/** Query strings and headers that a valid write may carry without changing its meaning. */
export const ODD_BATCH_QUERY = [
  '',
  '?async=true',
  '?async=TRUE',
  '?systemMetadata=true',
  '?async=true&systemMetadata=false',
  '?unknownFlag=1',
  '?async[a]=1',
  '?systemMetadata=',
  `?junk=${'x'.repeat(6000)}`,
];
export const ODD_HEADERS: Record<string, string>[] = [
  {},
  { traceparent: 'garbage' },
  { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`, tracestate: '@@@,,,==' },
  { 'x-enable-trace-log': 'maybe' },
  { cookie: '=;;enable-trace-log;=;enable-trace-log=nope' },
  { authorization: "Bearer ' OR 1=1 --" },
  { 'x-forwarded-for': "'; DROP TABLE metadata_aspect_v2; --" },
  { 'if-version-match': 'not a number (ignored by the batch route)' },
  { 'content-type': 'application/json; charset=utf-8' },
  { accept: 'text/html' },
  { 'x-big': 'b'.repeat(6000) },
];
/** None of the odd headers half the time (as the old fuzzer's two empty entries did), one of them otherwise. */
export const oddHeaders = (from: Record<string, string>[] = ODD_HEADERS) => fc.oneof(fc.constant({}), fc.constantFrom(...from));
export const oddBatchQuery = fc.oneof(fc.constant(''), fc.constantFrom(...ODD_BATCH_QUERY));

/**
 * Bad URNs, each made from a fresh key: each a 400 wherever a URN is expected. `at` and `ctrl` place a control
 * character inside the URN.
 */
const BAD_URNS: ((k: string, at: number, ctrl: string) => unknown)[] = [
  (k) => ds(k).slice(0, -1),
  (k) => `${ds(k)})`,
  (k, at, ctrl) => {
    const good = ds(k);
    const i = 20 + (at % (good.length - 20));
    return good.slice(0, i) + ctrl + good.slice(i);
  },
  (k) => ds(k + 'x'.repeat(600)),
  (k) => `urn:li:chart:${k}`,
  (k) => `urn:li:spaceship:${k}`,
  (k) => k,
  (k) => `URN:LI:dataset:${k}`,
  (k) => ` ${ds(k)}`,
  (k) => `../../${k}`,
  (k) => `urn:li:dataset:(urn:li:dataPlatform:hive,,${k})`,
  (k) => `urn:li:dataset:(urn:li:dataPlatform:(hive,${k},PROD)`,
  (k) => `${ds(k)}'; DROP TABLE metadata_aspect_v2; --`,
  (k) => `${ds(k)} /* x */ --`,
  (k) => `urn:li:dataset:(urn:li:dataPlatform:,${k},PROD)`,
  () => `urn:li:dataset:`,
  (k) => `urn:li::${k}`,
  (k) => ds(`${k}\ud800`), // a lone surrogate: not text, cannot be stored as what was sent
  () => 42,
  () => null,
  () => true,
  (k) => [ds(k)],
  (k) => ({ urn: ds(k) }),
  () => '',
  () => 0,
];
/** Control characters that break a line of a log, or a terminal. */
const CONTROL = ['\u0000', '\n', '\r\nTrace: forged', '\t', '\u001b[2J', '\u007f', '\r', '\u0008'];

export const badUrn: fc.Arbitrary<unknown> = fc
  .tuple(freshKey, fc.nat(BAD_URNS.length - 1), fc.nat(), fc.constantFrom(...CONTROL))
  .map(([k, i, at, ctrl]) => BAD_URNS[i](k, at, ctrl));
/** Every kind of bad URN once (the one with a control character once per character), each with a fresh key. */
export const handPickedBadUrns = (): unknown[] => [
  ...BAD_URNS.map((make) => make(key(), 25, CONTROL[0])),
  ...CONTROL.slice(1).map((ctrl) => BAD_URNS[2](key(), 25, ctrl)),
];
/** A bad URN as text (what a path or a map key carries). */
export const urnText = (bad: unknown) => (typeof bad === 'string' ? bad : json(bad));

// ---- whole-body faults, for any JSON route -----------------------------------------------------------

const isJsonText = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

/** Content types and encodings a JSON route must refuse, with the status each gets. */
const WRONG_CONTENT: [string, Record<string, string>, number[]][] = [
  ['text/plain', { 'content-type': 'text/plain' }, [400]],
  ['form content type', { 'content-type': 'application/x-www-form-urlencoded' }, [400]],
  ['no content type', {}, [400]],
  ['latin1 charset', { 'content-type': 'application/json; charset=latin1' }, [415]],
  ['unknown content encoding', { 'content-type': 'application/json', 'content-encoding': 'foo' }, [415]],
  ['gzip header, plain body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, [400]],
  ['deflate header, plain body', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, [400]],
];

/** A valid body of a route: its JSON text and the URNs it would write. */
export interface ValidBody {
  text: string;
  urns: string[];
}

const faultCase =
  (path: string, route: string, urns: string[]) =>
  (name: string, body: string | Buffer, status?: number[], headers?: Record<string, string>): Case => ({
    name: `${route}: ${name}`,
    method: 'POST',
    path,
    body,
    headers,
    rawContentType: headers !== undefined,
    expect: { kind: 'reject', status, noRows: urns },
  });

/**
 * Whole-body faults made from the route's valid bodies: truncated, prefixed with a comment, sent with a wrong
 * content type or encoding - and random bytes. Each a 4xx: no JSON array of valid items can come out of them.
 */
export function bodyFaults(path: string, route: string, validBody: fc.Arbitrary<ValidBody>): fc.Arbitrary<Case> {
  return fc.oneof(
    fc
      .tuple(validBody, fc.nat())
      .map(([b, n]) => ({ b, truncated: b.text.slice(0, 1 + (n % Math.max(1, b.text.length - 1))) }))
      .filter(({ truncated }) => !isJsonText(truncated)) // still JSON (rare): not a truncation fault
      .map(({ b, truncated }) => faultCase(path, route, b.urns)('truncated JSON', truncated, [400])),
    fc
      .uint8Array({ minLength: 1, maxLength: 300 })
      .map((bytes) => Buffer.from(bytes))
      .filter((bytes) => !isJsonText(bytes.toString('utf8')))
      .map((bytes) => faultCase(path, route, [])('random bytes', bytes, [400])),
    validBody.map((b) => faultCase(path, route, b.urns)('JSON with comments', `/* x */ ${b.text}`, [400])),
    fc.tuple(validBody, fc.constantFrom(...WRONG_CONTENT)).map(([b, [name, headers, status]]) => faultCase(path, route, b.urns)(name, b.text, status, headers)),
  );
}

/** The hand-picked whole-body faults: each once, on top of `bodyFaults` (`valid` is one valid body of the route). */
export function bodyFaultExamples(path: string, route: string, valid: ValidBody): Case[] {
  const c = faultCase(path, route, valid.urns);
  return [
    ...[
      '42',
      '"x"',
      'true',
      'null',
      '{}',
      '[[]]',
      '[null]',
      '[1]',
      '[""]',
      '',
      ' ',
      '\ufeff',
      '{"urn":"urn:li:tag:x"}',
      'NaN',
      'undefined',
      "{'a':1}",
      '[1,]',
      '{"a":1,}',
    ].map((body) => c(`wrong top-level type ${JSON.stringify(body)}`, body, [400])),
    c('10k-deep arrays', deepArray(DEPTH), [400]),
    c('50k-deep arrays', deepArray(50_000), [400]),
    c('10k-deep objects', deepObject(DEPTH), [400]),
    c('60k-deep objects, beyond the size limit', deepObject(60_000), [413]),
    c('gzip bomb', gzipSync(`[${' '.repeat(5_000_000)}]`), [413], { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
    c(
      'invalid UTF-8 in a string',
      Buffer.concat([Buffer.from('[{"urn":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}]')]),
      [400],
    ),
    ...WRONG_CONTENT.map(([name, headers, status]) => c(name, valid.text, status, headers)),
  ];
}

/** Methods a route does not take: 404/405 (a JSON message all the same), never a 5xx. */
export const wrongMethods = (path: string, route: string, methods: string[], noRows: string[] = []): Case[] =>
  methods.map((method) => ({
    name: `${route}: ${method}`,
    method,
    path,
    body: '{}',
    expect: { kind: 'reject', status: [404, 405], noRows },
  }));
