import { ChildProcess, execSync, spawn } from 'child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { freePort } from '../../support/free-port';
import { REPO_ROOT } from '../../support/stack-env';
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

  /** Child processes seen so far (cluster workers), so stop() can make sure none outlives the bench. */
  private readonly seenChildren = new Set<number>();

  private constructor(
    readonly name: AppName,
    /** How the bench names this process in its output: the app's name, with #2 for a second process. */
    readonly label: string,
    readonly url: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((this.exitCode = code ?? (signal ? 128 : null)))));
  }

  static async start(name: AppName, logDir: string, extra: Record<string, string> = {}, label: string = name): Promise<App> {
    const port = await freePort();
    // Numbered in the order of starts: 03-gms.log, 07-mce-consumer-2.log (the second of two MCE consumer processes), ...
    const logFile = join(logDir, `${String(++starts).padStart(2, '0')}-${label.replace('#', '-')}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(REPO_ROOT, `dist/apps/${name}/src/main.js`)], {
      cwd: REPO_ROOT,
      // One gms process unless the caller asks for workers (extra): the bench reads CPU and memory per pid from /proc.
      env: { PATH: process.env.PATH ?? '', ...ENV, GMS_WORKERS: '1', [PORT_VARIABLE[name]]: String(port), ...extra },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const app = new App(name, label, `http://127.0.0.1:${port}`, logFile, child);
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

  /** The process and its children (the workers of a gms started with GMS_WORKERS > 1). */
  pids(): number[] {
    const kids = childrenOf(this.pid);
    kids.forEach((k) => this.seenChildren.add(k));
    return [this.pid, ...kids];
  }

  /** Resident set size now and at its peak (VmRSS, VmHWM) of each of its processes, in bytes, from /proc. */
  processes(): { pid: number; role: 'main' | 'worker'; rssBytes: number; peakRssBytes: number }[] {
    return this.pids().flatMap((pid) => {
      try {
        return [{ pid, role: pid === this.pid ? ('main' as const) : ('worker' as const), ...memoryOf(pid) }];
      } catch {
        return []; // a worker that exited between the listing and the read
      }
    });
  }

  /** Resident set size now and at its peak, in bytes, summed over its processes (one, unless it has workers). */
  memory(): { rssBytes: number; peakRssBytes: number } {
    return this.processes().reduce((a, p) => ({ rssBytes: a.rssBytes + p.rssBytes, peakRssBytes: a.peakRssBytes + p.peakRssBytes }), {
      rssBytes: 0,
      peakRssBytes: 0,
    });
  }

  /** CPU time its processes used so far (user + system), in seconds, from /proc. */
  cpuSeconds(): number {
    return this.pids().reduce((sum, pid) => {
      try {
        return sum + cpuSecondsOf(pid);
      } catch {
        return sum;
      }
    }, 0);
  }

  async stop(ms = 30000): Promise<number | null> {
    if (this.exitCode === null) {
      this.pids();
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
      try {
        await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    // Workers normally stop with their primary; one still running (same pid, still our app) is stopped here.
    for (const pid of this.seenChildren) {
      for (let i = 0; i < 100 && isAppProcess(pid, this.name); i++) {
        if (i === 0 || i === 80) signal(pid, i === 0 ? 'SIGTERM' : 'SIGKILL');
        await sleep(100);
      }
    }
    return this.exitCode;
  }
}

let starts = 0;

/** Direct children of `pid` (from /proc/<pid>/task/<tid>/children). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** VmRSS and VmHWM of `pid`, in bytes. */
function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

function isAppProcess(pid: number, name: AppName): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`dist/apps/${name}/`);
  } catch {
    return false;
  }
}

/**
 * Whether the built gms runs several HTTP workers when told GMS_WORKERS (cluster mode): the string is in
 * its configuration (dist/libs/config) or in the gms app itself.
 */
export function gmsWorkersSupported(): boolean {
  const has = (dir: string): boolean =>
    existsSync(dir) &&
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? has(join(dir, e.name)) : e.name.endsWith('.js') && readFileSync(join(dir, e.name), 'utf8').includes('GMS_WORKERS'),
    );
  return has(join(REPO_ROOT, 'dist/libs/config')) || has(join(REPO_ROOT, 'dist/apps/gms'));
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
