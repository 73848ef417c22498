#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs the unit tests, starts the real stack
# (Kafka, MySQL, OpenSearch) unless it is already up, runs the end-to-end tests against it, and
# stops what it started - also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

started_stack=0
cleanup() {
  local rc=$?
  if [ "$started_stack" = 1 ] && [ "${KEEP_STACK:-0}" != 1 ]; then
    phase_start "stack down"; bash docker/local/stack.sh down || true; phase_end
  fi
  print_phases
  exit $rc
}
trap cleanup EXIT

phase_start "install"; ensure_node_modules; phase_end
phase_start "build"; npm run --silent build; phase_end
phase_start "unit tests"; npx jest --config jest.config.js --ci; phase_end

if [ "${SKIP_E2E:-0}" = 1 ]; then echo "SKIP_E2E=1: end-to-end tests not run"; exit 0; fi

phase_start "stack up"
if ! bash docker/local/stack.sh status >/dev/null 2>&1; then started_stack=1; fi
bash docker/local/stack.sh up
phase_end

phase_start "e2e tests"
load_local_env
npx jest --config test/jest-e2e.config.js --runInBand --ci
phase_end
