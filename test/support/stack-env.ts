// Moved to support/ (shared with bench/); re-exported so the e2e tests import it from here as before.
export { REPO_ROOT, stackEnv } from '../../support/stack-env';
