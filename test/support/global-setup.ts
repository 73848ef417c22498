import { existsSync } from 'fs';
import { join } from 'path';
import { REPO_ROOT } from './stack-env';

/** The e2e suite runs the built apps: fail at once, with the fix, when they are not built. */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'dist/apps/gms/src/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it for you)');
  }
}
