#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs the unit tests, starts the real stack
# (Kafka, MySQL, OpenSearch) unless it is already up, runs the end-to-end tests against it, and
# stops what it started - also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

started_stack=0
compat_pid=""
cleanup() {
  local rc=$?
  if [ -n "$compat_pid" ]; then kill -TERM "$compat_pid" 2>/dev/null || true; wait "$compat_pid" 2>/dev/null || true; fi
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

# A real client written by others: DataHub's own Python SDK, unchanged, in its own virtualenv, against the
# service with both consumers embedded and authentication on (topics, groups and indices of its own).
phase_start "compat test (DataHub Python SDK)"
compat_port="${COMPAT_PORT:-18181}"
compat_secret="$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))")"
mkdir -p .stack/logs
# Two workers, whatever the machine: the SDK and schemathesis talk to the service as production runs it (clustered).
AUTH_ENABLED=true AUTH_JWT_SECRET="$compat_secret" RUN_CONSUMERS=mce,mae GMS_WORKERS=2 PORT="$compat_port" \
  TOPIC_MCP=MetadataChangeProposal_v1_compat TOPIC_FAILED_MCP=FailedMetadataChangeProposal_v1_compat \
  TOPIC_MCL_VERSIONED=MetadataChangeLog_Versioned_v1_compat TOPIC_MCL_TIMESERIES=MetadataChangeLog_Timeseries_v1_compat \
  MCE_CONSUMER_GROUP=compat-mce MAE_CONSUMER_GROUP=compat-mae OPENSEARCH_INDEX_PREFIX=compat_ \
  node dist/apps/gms/src/main.js > .stack/logs/gms-compat.log 2>&1 &
compat_pid=$!
DATAHUB_GMS_TOKEN="$(AUTH_JWT_SECRET="$compat_secret" node scripts/mint-token.js --sub urn:li:corpuser:sdk-compat)" \
  bash scripts/compat-test.sh "http://127.0.0.1:$compat_port" || { echo "compat test failed; service log: .stack/logs/gms-compat.log"; tail -n 40 .stack/logs/gms-compat.log; exit 1; }
phase_end

# The published OpenAPI document, fuzzed by schemathesis against the same service: never a 5xx, never a hang,
# every 4xx a JSON error (test/schemathesis/README.md).
phase_start "schemathesis (OpenAPI fuzzing)"
SCHEMATHESIS_TOKEN="$(AUTH_JWT_SECRET="$compat_secret" node scripts/mint-token.js --sub urn:li:corpuser:schemathesis)" \
  bash scripts/schemathesis.sh "http://127.0.0.1:$compat_port" || { echo "schemathesis failed; service log: .stack/logs/gms-compat.log"; tail -n 40 .stack/logs/gms-compat.log; exit 1; }
phase_end
