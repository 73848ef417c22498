import { ChildProcess, execSync, spawn } from 'child_process';
import { closeSync, openSync, readFileSync } from 'fs';
import { join } from 'path';
import { freePort } from '../../test/support/app-process';
import { REPO_ROOT } from '../../test/support/stack-env';
import { ENV } from './env';
import { sleep } from './stats';

export type AppName = 'gms' | 'mce-consumer' | 'mae-consumer';
const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
const PORT_VARIABLE: Record<AppName, string> = { gms: 'PORT', 'mce-consumer': 'MCE_CONSUMER_PORT', 'mae-consumer': 'MAE_CONSUMER_PORT' };

/**
 * One built app as its own process, like production runs it. Unlike the e2e AppProcess, its output goes
 * straight to a log file: the bench process must not spend CPU copying the service's (trace) log.
 */
export class App {
  private exited: Promise<number | null>;
  exitCode: number | null = null;

  private constructor(
    readonly name: AppName,
    readonly url: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((this.exitCode = code ?? (signal ? 128 : null)))));
  }

  static async start(name: AppName, logDir: string, extra: Record<string, string> = {}): Promise<App> {
    const port = await freePort();
    const logFile = join(logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(REPO_ROOT, `dist/apps/${name}/src/main.js`)], {
      cwd: REPO_ROOT,
      // One gms process: the bench reads the CPU and memory of the pid it started (/proc), which a cluster primary would not show.
      env: { PATH: process.env.PATH ?? '', ...ENV, GMS_WORKERS: '1', [PORT_VARIABLE[name]]: String(port), ...extra },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const app = new App(name, `http://127.0.0.1:${port}`, logFile, child);
    await app.waitHealthy();
    return app;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async waitHealthy(ms = 90000): Promise<void> {
    const deadline = Date.now() + ms;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exitCode !== null) throw new Error(`${this.name} exited with ${this.exitCode}; see ${this.logFile}`);
      try {
        const res = await fetch(`${this.url}/health`);
        last = `${res.status} ${await res.text()}`;
        if (res.status === 200) return;
      } catch (err) {
        last = String(err);
      }
      await sleep(250);
    }
    throw new Error(`${this.name} not healthy within ${ms} ms (last: ${last.slice(0, 500)}); see ${this.logFile}`);
  }

  /** Resident set size now and at its peak (VmRSS, VmHWM), in bytes, from /proc. */
  memory(): { rssBytes: number; peakRssBytes: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  }

  /** CPU time the process used so far (user + system), in seconds, from /proc. */
  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  async stop(ms = 30000): Promise<number | null> {
    if (this.exitCode !== null) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** CPU time process `pid` used so far (user + system), in seconds, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * The local stack's processes (Kafka, MariaDB, OpenSearch) as docker/local/stack.sh recorded them, for
 * their CPU; empty when the stack was started some other way. They serve everyone on the machine.
 */
export function stackProcesses(): { name: string; pid: number }[] {
  return ['kafka', 'mariadb', 'opensearch'].flatMap((name) => {
    try {
      const pid = Number(readFileSync(join(REPO_ROOT, `.stack/run/${name}.pid`), 'utf8').trim());
      cpuSecondsOf(pid);
      return [{ name, pid }];
    } catch {
      return [];
    }
  });
}
