import { execFile, execFileSync } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { REPO_ROOT } from './stack-env';

const STACK = join(REPO_ROOT, 'docker/local/stack.sh');

/** Runs docker/local/stack.sh (fault injection: `stop <component>`, `kill kafka`, then `up`); returns its output. Blocks the test's event loop meanwhile. */
export function stack(...args: string[]): string {
  return execFileSync('bash', [STACK, ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** stack(), without blocking: requests the test has in flight meanwhile are answered (and timed) as they arrive. */
export async function stackAsync(...args: string[]): Promise<string> {
  return (await promisify(execFile)('bash', [STACK, ...args], { cwd: REPO_ROOT, encoding: 'utf8' })).stdout;
}
