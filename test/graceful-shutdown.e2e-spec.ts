import { AppProcess } from './support/app-process';
import { postJson } from './support/http';
import { sqlConnection } from './support/stores';

const enc = encodeURIComponent;

describe('graceful shutdown', () => {
  it('on SIGTERM the service finishes the requests in flight, then exits 0 within a bounded time', async () => {
    const gms = await AppProcess.start('gms');
    await gms.waitHealthy();
    const run = Date.now().toString(36);
    const urns = Array.from({ length: 20 }, (_, i) => `urn:li:dataset:(urn:li:dataPlatform:hive,shutdown_${run}.t${i},PROD)`);
    // Synchronous writes: each answers only once SQL has it and its change log is on Kafka.
    const inFlight = urns.map((urn) => postJson(`${gms.url}/openapi/v3/entity/dataset/${enc(urn)}/status`, { value: { removed: false } }).catch((e: Error) => e));
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    const exit = gms.stop('SIGTERM', 30000);
    const answers = await Promise.all(inFlight);
    expect(await exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(30000);
    // Every request the server had accepted was answered, and every one answered 200 is stored.
    const written = urns.filter((_, i) => !(answers[i] instanceof Error) && (answers[i] as { status: number }).status === 200);
    for (const a of answers) if (!(a instanceof Error)) expect({ status: (a as { status: number }).status, body: (a as { body: unknown }).body }).toMatchObject({ status: 200 });
    expect(written.length).toBeGreaterThan(0);
    const sql = await sqlConnection();
    try {
      const [rows] = await sql.query("SELECT COUNT(*) AS n FROM metadata_aspect_v2 WHERE urn LIKE ? AND aspect = 'status' AND version = 0", [`urn:li:dataset:(urn:li:dataPlatform:hive,shutdown_${run}.%`]);
      expect(Number((rows as { n: number }[])[0].n)).toBeGreaterThanOrEqual(written.length);
    } finally {
      await sql.end();
    }
    expect(gms.output).toContain('SIGTERM received: shutting down');
  });
});
