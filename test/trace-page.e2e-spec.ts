import { mkdirSync } from 'fs';
import { join } from 'path';
import { AppProcess } from './support/app-process';
import { signToken } from './support/tokens';
import { BrowserAvailability, ensureChromium, HeadlessBrowser, launchChromium } from './support/browser';
import { request } from './support/http';
import { dropNamespace, ownNamespace } from './support/namespace';
import { REPO_ROOT } from './support/stack-env';
import { traceIdOf } from './support/trace-client';

const SECRET = 'e2e-only-secret-trace-page-0123456789abcdef';
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const urn = `urn:li:dataset:(urn:li:dataPlatform:hive,page_${run}.t,PROD)`;
const ARTIFACTS = join(REPO_ROOT, 'test/artifacts');
const SCREENSHOT = join(ARTIFACTS, 'trace-page.png');
const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';

const mintToken = () => signToken(SECRET, { scope: 'read write' }, { sub: 'urn:li:corpuser:trace-page-e2e' });

/**
 * The trace page in a real (headless) Debian chromium against the real stack: gms and both consumers as their own
 * processes (so three lanes), authentication on, a write that asked for the trace log, and a client span sent
 * through the OTLP intake whose attributes carry markup.
 */
describe('the trace page (headless chromium)', () => {
  const env = ownNamespace(`page${run}`);
  let availability: BrowserAvailability;
  let apps: AppProcess[] = [];
  let browser: HeadlessBrowser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    availability = await ensureChromium();
    if (!availability.available) return;
    const auth = { AUTH_ENABLED: 'true', AUTH_JWT_SECRET: SECRET };
    const gms = await AppProcess.start('gms', { ...env, ...auth, RUN_CONSUMERS: '' });
    apps = [gms, await AppProcess.start('mce-consumer', env), await AppProcess.start('mae-consumer', env)];
    await Promise.all(apps.map((a) => a.waitHealthy()));
    browser = await launchChromium();
    browser.page.on('pageerror', (err) => pageErrors.push(String(err)));
  }, 600000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop()));
    await dropNamespace(env);
  });

  it('shows one lane per service and the settled states; a span attribute carrying markup is shown as text', async () => {
    if (!availability.available) {
      console.warn(`SKIPPED: trace page browser test: no chromium and it cannot be installed here: ${availability.reason}`);
      expect(availability.reason).toMatch(/\S/);
      return;
    }
    const gms = apps[0];
    const token = await mintToken();
    const auth = { authorization: `Bearer ${token}` };
    const written = await request('POST', `${gms.url}/openapi/v3/entity/dataset`, [{ urn, status: { value: { removed: false } } }], {
      ...auth,
      'X-Enable-Trace-Log': 'true',
    });
    expect(written.status).toBe(202);
    const traceId = traceIdOf(written.headers.get('traceparent'));
    expect(written.headers.get('link')).toBe(`</trace/${traceId}>; rel="trace"`);
    const now = BigInt(Date.now()) * 1_000_000n;
    const posted = await request(
      'POST',
      `${gms.url}/v1/traces`,
      {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ingestion-job' } }] },
            scopeSpans: [
              {
                scope: { name: 'job' },
                spans: [
                  {
                    traceId,
                    spanId: 'c0ffee00c0ffee00',
                    name: XSS,
                    kind: 3,
                    startTimeUnixNano: String(now - 50_000_000n),
                    endTimeUnixNano: String(now),
                    attributes: [{ key: 'note', value: { stringValue: XSS } }],
                  },
                ],
              },
            ],
          },
        ],
      },
      auth,
    );
    expect(posted.status).toBe(200);

    const { page } = browser!;
    const res = await page.goto(`${gms.url}/trace/${traceId}`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#token').fill(token);
    await page.locator('#auth button[type="submit"]').click();
    await page.locator('#states[data-settled="true"]').waitFor({ timeout: 60000 });
    await page.locator('.lane[data-service="mae-consumer"]').waitFor({ timeout: 5000 });

    const lanes = await page.locator('.lane').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-service')));
    expect(new Set(lanes)).toEqual(new Set(['gms', 'mce-consumer', 'mae-consumer', 'ingestion-job']));
    const cells = await page.locator('#states tbody tr').first().locator('td').allInnerTexts();
    expect(cells).toEqual([urn, 'status', 'ACTIVE_STATE', 'ACTIVE_STATE']);
    // The consumers' queue time is drawn before their spans.
    expect(await page.locator('.lane[data-service="mce-consumer"] .queue').count()).toBeGreaterThan(0);

    // Markup in a span's name and attributes is text: no script ran, no element was made of it.
    await page.locator('.bar[data-span-id="c0ffee00c0ffee00"]').click();
    await page.locator('#details dd', { hasText: '<script>' }).first().waitFor();
    expect(await page.locator('#details script, #details img, #timeline script, #timeline img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(
      await page
        .locator('.row', { has: page.locator('.bar[data-span-id="c0ffee00c0ffee00"]') })
        .locator('.label')
        .innerText(),
    ).toContain('<script>');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120000);
});
