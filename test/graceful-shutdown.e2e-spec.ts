import { AppProcess } from './support/app-process';
import { getJson, postJson } from './support/http';
import { sqlConnection } from './support/stores';

const enc = encodeURIComponent;

describe('graceful shutdown', () => {
  // One process, and a primary with two workers (it forwards the signal; each worker drains its own connections).
  it.each(['1', '2'])(
    'with GMS_WORKERS=%s, on SIGTERM the service answers every request sent before it, stores each, then exits 0 within a bounded time',
    async (workers) => {
      const gms = await AppProcess.start('gms', { GMS_WORKERS: workers });
      await gms.waitHealthy();
      const run = `${Date.now().toString(36)}w${workers}`;
      const urns = Array.from({ length: 20 }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,shutdown_${run}.t${i},PROD)`);
      // Synchronous writes: each answers only once SQL has it and its change log is on Kafka.
      const inFlight = urns.map((urn) =>
        postJson(`${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status`, { value: { removed: false } }).catch((e: Error) => e),
      );
      await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      const exit = gms.stop('SIGTERM', 30000);
      const answers = await Promise.all(inFlight);
      expect(await exit).toBe(0);
      expect(Date.now() - started).toBeLessThan(30000);
      // Every request sent before the signal is answered 200 (none is reset: the server keeps accepting for
      // SHUTDOWN_ACCEPT_MS and serves what is queued) and stored. fetch's errors come from another realm than
      // jest's Error, so responses are told apart by their status, not by instanceof.
      const isResponse = (a: unknown): a is { status: number; body: unknown } =>
        typeof a === 'object' && a !== null && typeof (a as { status?: unknown }).status === 'number';
      const failures = answers.filter((a) => !isResponse(a)).map((e) => String((e as Error).cause ?? e));
      expect(failures).toEqual([]);
      for (const a of answers) if (isResponse(a)) expect({ status: a.status, body: a.body }).toMatchObject({ status: 200 });
      const sql = await sqlConnection();
      try {
        const [rows] = await sql.query("SELECT COUNT(*) AS n FROM metadata_aspect_v2 WHERE urn LIKE ? AND aspect = 'status' AND version = 0", [
          `urn:li:dataset:(urn:li:dataPlatform:hive,shutdown_${run}.%`,
        ]);
        expect(Number((rows as { n: number }[])[0].n)).toBe(urns.length);
      } finally {
        await sql.end();
      }
      expect(gms.output).toContain('SIGTERM received: shutting down');
    },
  );

  it('from SIGTERM on, readiness answers 503 naming the shutdown while the server still accepts for SHUTDOWN_ACCEPT_MS', async () => {
    // One process: the readiness answers below come from the one process that got the signal.
    const gms = await AppProcess.start('gms', { SHUTDOWN_ACCEPT_MS: '3000', GMS_WORKERS: '1' });
    await gms.waitHealthy();
    expect((await getJson(`${gms.url}/health/ready`)).status).toBe(200);
    const exit = gms.stop('SIGTERM', 30000);
    await new Promise((r) => setTimeout(r, 500));
    const ready = await getJson(`${gms.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.error.shutdown).toEqual({ status: 'down', message: 'shutting down (SIGTERM received)' });
    expect(ready.headers.get('connection')).toBe('close');
    expect((await getJson(`${gms.url}/health/live`)).status).toBe(200);
    expect(await exit).toBe(0);
  });
});
