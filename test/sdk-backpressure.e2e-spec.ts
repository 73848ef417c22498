import { spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AppProcess } from './support/app-process';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { eventually } from './support/poll';
import { REPO_ROOT } from './support/stack-env';

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const MAX_LAG = 300;
const ASPECTS = 3000;
/** The compat virtualenv with the pinned SDK: scripts/test.sh builds it before the e2e tests (scripts/compat-test.sh --venv-only). */
const PYTHON = process.env.COMPAT_PYTHON ?? join(REPO_ROOT, '.stack/venv-compat/bin/python');

/** Runs test/compat/throttled_ingest.py to its end: exit code, output and its {passed, failed} report. */
function throttledIngest(gmsUrl: string): { done: Promise<{ code: number | null; output: string; report: { passed: number; failed: number } | undefined }> } {
  const reportFile = join(tmpdir(), `throttled-${run}.json`);
  const child = spawn(PYTHON, [join(REPO_ROOT, 'test/compat/throttled_ingest.py'), '--gms', gmsUrl, '--aspects', String(ASPECTS), '--report', reportFile], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', DATAHUB_TELEMETRY_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d.toString()));
  child.stderr.on('data', (d) => (output += d.toString()));
  const done = new Promise<{ code: number | null; output: string; report: { passed: number; failed: number } | undefined }>((resolve) =>
    child.on('exit', (code) => resolve({ code, output, report: existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined })),
  );
  return { done };
}

/**
 * Backpressure against DataHub's own SDK, unchanged: its emit_mcps(ASYNC) of 3,000 aspects meets a service whose MCE
 * consumer is not running yet, so the lag passes BACKPRESSURE_MAX_LAG and batches are refused with 429. Once the
 * lag is past the bound the consumer starts; the SDK's own retries (Retry-After) then get every batch in. The
 * script checks that the ingestion completed, that nothing was doubled (the proposal topic grew by exactly 3,000)
 * and nothing lost (every aspect reads back).
 */
describe('backpressure with the DataHub SDK: a throttled bulk ingestion completes, nothing lost or doubled', () => {
  const env = ownNamespace(`sdkbp${run}`);
  let gms: AppProcess;
  let mce: AppProcess | undefined;

  beforeAll(async () => {
    gms = await AppProcess.start('gms', { ...env, RUN_CONSUMERS: 'mae', BACKPRESSURE_MAX_LAG: String(MAX_LAG), CONSUMER_MONITOR_INTERVAL_MS: '100' });
    await gms.waitHealthy();
  });

  afterAll(async () => {
    await mce?.stop();
    await gms?.stop();
    await dropNamespace(env);
  });

  it('emit_mcps(ASYNC) of 3,000 aspects: 429s while the consumer is behind, retried by the SDK; all in, exactly once', async () => {
    if (!existsSync(PYTHON)) throw new Error(`no SDK virtualenv at ${PYTHON}: run \`bash scripts/compat-test.sh --venv-only\` (scripts/test.sh does)`);
    const ingest = throttledIngest(gms.url);
    // The backlog passes the bound with nobody consuming: from now on async writes are refused.
    await eventually(
      async () => (await request('GET', `${gms.url}/openapi/v1/consumers`)).body.groups[0] as { lag: number },
      (mceGroup) => mceGroup.lag > MAX_LAG,
      60000,
      100,
    );
    mce = await AppProcess.start('mce-consumer', env);
    const { code, output, report } = await ingest.done;
    expect({ code, report, output }).toEqual({
      code: 0,
      report: { passed: 4, failed: 0 },
      output: expect.stringContaining('4/4 throttled-ingestion checks passed'),
    });
    console.log(output);
  }, 240000);
});
