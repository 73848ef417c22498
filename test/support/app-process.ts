import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { freePort } from '../../support/free-port';
import { REPO_ROOT, stackEnv } from './stack-env';

export type AppName = 'gms' | 'mce-consumer' | 'mae-consumer';

const PORT_VARIABLE: Record<AppName, string> = { gms: 'PORT', 'mce-consumer': 'MCE_CONSUMER_PORT', 'mae-consumer': 'MAE_CONSUMER_PORT' };

export { freePort };

/** One of our apps, run from dist/ as its own process, the way production runs it. */
export class AppProcess {
  output = '';
  exitCode: number | null = null;
  private exited: Promise<number | null>;

  private constructor(
    readonly name: AppName,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d) => (this.output += d.toString()));
    child.stderr?.on('data', (d) => (this.output += d.toString()));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        resolve(this.exitCode);
      }),
    );
  }

  /**
   * The service runs as one process unless a test asks for GMS_WORKERS (test/gms-workers does): the suites
   * look at one process's state and pid, and every further worker would be one more member joining the
   * consumer groups a test embeds, on a small machine.
   */
  static async start(name: AppName, env: Record<string, string> = {}, args: string[] = []): Promise<AppProcess> {
    const port = Number(env[PORT_VARIABLE[name]] ?? (await freePort()));
    const child = spawn(process.execPath, [join(REPO_ROOT, `dist/apps/${name}/src/main.js`), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...stackEnv(), GMS_WORKERS: '1', [PORT_VARIABLE[name]]: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(name, `http://127.0.0.1:${port}`, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the exit code, or rejects after `ms`. */
  async waitForExit(ms = 30000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${ms} ms; output:\n${this.output.slice(-3000)}`)), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls GET /health until it answers 200; the error carries the last answer and the app's output. */
  async waitHealthy(ms = 90000): Promise<unknown> {
    const deadline = Date.now() + ms;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exitCode !== null) throw new Error(`${this.name} exited with ${this.exitCode}:\n${this.output.slice(-3000)}`);
      try {
        const res = await fetch(`${this.url}/health`);
        const body = await res.json();
        if (res.status === 200) return body;
        last = `${res.status} ${JSON.stringify(body)}`;
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${this.name} not healthy within ${ms} ms (last: ${last}); output:\n${this.output.slice(-3000)}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 30000): Promise<number | null> {
    if (this.exitCode !== null) return this.exitCode;
    this.child.kill(signal);
    return this.waitForExit(ms);
  }
}
