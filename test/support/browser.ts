import { execFile } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './stack-env';

/** Debian's chromium; the only browser the tests use (never one downloaded by Playwright). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags for chromium as root on a machine with no network beyond loopback: no sandbox (root), no GPU,
 * and nothing that phones home (QUIC, background networking, component updates, sync).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type BrowserAvailability = { available: true; note: string } | { available: false; reason: string };

/**
 * Makes sure Debian's chromium is there, installing it with scripts/install-browser.sh (apt-get) when
 * it is missing. Says why not when it cannot be installed (not root, no apt-get, apt failed): the only
 * case in which a browser test may skip.
 */
export async function ensureChromium(timeoutMs = 600000): Promise<BrowserAvailability> {
  if (existsSync(CHROMIUM_PATH)) return { available: true, note: `${CHROMIUM_PATH} present` };
  const { output, failed } = await new Promise<{ output: string; failed: boolean }>((resolve) =>
    execFile(
      'bash',
      [join(REPO_ROOT, 'scripts/install-browser.sh')],
      { cwd: REPO_ROOT, timeout: timeoutMs, env: { ...process.env, CHROMIUM_PATH } },
      (err, stdout, stderr) => resolve({ output: `${stdout}${stderr}${err ? `\n${String(err)}` : ''}`.trim(), failed: !!err }),
    ),
  );
  const skip = /^SKIP: (.*)$/m.exec(output);
  if (skip) return { available: false, reason: skip[1] };
  // Anything else that leaves no browser is a failure to look into, not a skip.
  if (failed || !existsSync(CHROMIUM_PATH)) throw new Error(`scripts/install-browser.sh did not provide ${CHROMIUM_PATH}:\n${output}`);
  return { available: true, note: output };
}

/** A headless chromium with a fresh profile of its own; close() ends it and removes the profile. */
export interface HeadlessBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<HeadlessBrowser> {
  // A fresh --user-data-dir each time: Playwright takes it as launchPersistentContext's first argument.
  const profile = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      timeout: 60000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
