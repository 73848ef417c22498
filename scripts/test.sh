#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs the unit tests, starts the real stack
# (Kafka, MySQL, OpenSearch) unless it is already up, runs the end-to-end tests against it, then DataHub's
# Python SDK and schemathesis against the service, and stops what it started - also on failure.
# A failing runner does not stop the ones after it. The last line printed is
#   tests: N passed, M failed
# counted from the runners' own reports (jest --json, the SDK check's JSON, schemathesis' JUnit XML; a runner
# that was due and left no report counts as 1 failed); the exit status is non-zero when M > 0 or a phase failed.
# Jest runs --verbose, so the log names every test with its result, not only each file.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

REPORTS=.stack/reports
rm -rf "$REPORTS" .stack/schemathesis/junit.xml
mkdir -p "$REPORTS"
# Every runner due in this run, and where it reports.
runners=("lint=checks:$REPORTS/lint.json" "unit=jest:$REPORTS/unit.json")
if [ "${SKIP_E2E:-0}" != 1 ]; then
  runners+=("e2e=jest:$REPORTS/e2e.json" "sdk-compat=checks:$REPORTS/compat.json" "schemathesis=junit:.stack/schemathesis/junit.xml")
fi

started_stack=0
started_secure_search=0
compat_pid=""
phase_failed=0
cleanup() {
  local rc=$?
  if [ -n "$compat_pid" ]; then kill -TERM "$compat_pid" 2>/dev/null || true; wait "$compat_pid" 2>/dev/null || true; fi
  if [ "$started_stack" = 1 ] && [ "${KEEP_STACK:-0}" != 1 ]; then
    phase_start "stack down"; bash docker/local/stack.sh down || true; phase_end
  elif [ "$started_secure_search" = 1 ] && [ "${KEEP_STACK:-0}" != 1 ]; then
    bash docker/local/stack.sh stop opensearch-secure || true
  fi
  print_phases
  echo "---- tests ----"
  local counts passed failed
  counts="$(node scripts/count-tests.js "${runners[@]}")" || rc=1
  sed '$d' <<<"$counts"
  read -r passed failed <<<"$(tail -n 1 <<<"$counts")"
  [ "$phase_failed" = 0 ] || rc=1
  printf 'tests: %d passed, %d failed\n' "${passed:-0}" "${failed:-1}"
  exit $rc
}
trap cleanup EXIT

phase_start "install"; ensure_node_modules; phase_end
phase_start "build"; npm run --silent build; phase_end
# Lint and format: two checks, each passed or failed (npm run lint runs the same two).
phase_start "lint and format"
lint_ok=0; lint_failed=0
if npx eslint .; then lint_ok=$((lint_ok + 1)); else lint_failed=$((lint_failed + 1)); phase_failed=1; fi
if npx prettier --check apps libs test bench support; then lint_ok=$((lint_ok + 1)); else lint_failed=$((lint_failed + 1)); phase_failed=1; fi
echo "{\"passed\": $lint_ok, \"failed\": $lint_failed}" > "$REPORTS/lint.json"
phase_end

phase_start "unit tests"; npx jest --config jest.config.js --ci --verbose --json --outputFile="$REPORTS/unit.json" || phase_failed=1; phase_end

if [ "${SKIP_E2E:-0}" = 1 ]; then echo "SKIP_E2E=1: end-to-end tests not run"; exit "$phase_failed"; fi

phase_start "stack up"
if ! bash docker/local/stack.sh status >/dev/null 2>&1; then started_stack=1; fi
if ! bash docker/local/stack.sh status opensearch-secure >/dev/null 2>&1; then started_secure_search=1; fi
# With the second OpenSearch node, the one with the security plugin (TLS, basic auth), started beside the others:
# test/secured-connections runs the service against it, Kafka's SASL_SSL listener and MariaDB over TLS.
STACK_SECURE_SEARCH=1 bash docker/local/stack.sh up
phase_end

# The SDK's virtualenv first: one e2e suite (test/sdk-backpressure) runs DataHub's SDK against a throttled service.
phase_start "SDK virtualenv"; bash scripts/compat-test.sh --venv-only || phase_failed=1; phase_end

phase_start "e2e tests"
load_local_env
npx jest --config test/jest-e2e.config.js --runInBand --ci --verbose --json --outputFile="$REPORTS/e2e.json" || phase_failed=1
phase_end

# A real client written by others: DataHub's own Python SDK, unchanged, in its own virtualenv, against the
# service with both consumers embedded and authentication on (topics, groups and indices of its own).
phase_start "compat test (DataHub Python SDK)"
compat_port="${COMPAT_PORT:-18181}"
compat_secret="$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))")"
mkdir -p .stack/logs
# Two workers, whatever the machine: the SDK and schemathesis talk to the service as production runs it (clustered).
AUTH_ENABLED=true AUTH_JWT_SECRET="$compat_secret" RUN_CONSUMERS=mce,mae GMS_WORKERS=2 PORT="$compat_port" \
  TOPIC_MCP=MetadataChangeProposal_v1_compat TOPIC_FAILED_MCP=FailedMetadataChangeProposal_v1_compat TOPIC_FAILED_MCL=FailedMetadataChangeLog_v1_compat \
  TOPIC_MCL_VERSIONED=MetadataChangeLog_Versioned_v1_compat TOPIC_MCL_TIMESERIES=MetadataChangeLog_Timeseries_v1_compat \
  MCE_CONSUMER_GROUP=compat-mce MAE_CONSUMER_GROUP=compat-mae OPENSEARCH_INDEX_PREFIX=compat_ \
  node dist/apps/gms/src/main.js > .stack/logs/gms-compat.log 2>&1 &
compat_pid=$!
DATAHUB_GMS_TOKEN="$(AUTH_JWT_SECRET="$compat_secret" node scripts/mint-token.js --sub urn:li:corpuser:sdk-compat)" COMPAT_REPORT="$REPORTS/compat.json" \
  bash scripts/compat-test.sh "http://127.0.0.1:$compat_port" || { phase_failed=1; echo "compat test failed; service log: .stack/logs/gms-compat.log"; tail -n 40 .stack/logs/gms-compat.log; }
phase_end

# The published OpenAPI document, fuzzed by schemathesis against the same service: never a 5xx, never a hang,
# every 4xx a JSON error (test/schemathesis/README.md).
phase_start "schemathesis (OpenAPI fuzzing)"
SCHEMATHESIS_TOKEN="$(AUTH_JWT_SECRET="$compat_secret" node scripts/mint-token.js --sub urn:li:corpuser:schemathesis)" \
  bash scripts/schemathesis.sh "http://127.0.0.1:$compat_port" >.stack/logs/schemathesis.log 2>&1 || {
    phase_failed=1; cat .stack/logs/schemathesis.log
    echo "schemathesis failed; service log: .stack/logs/gms-compat.log"; tail -n 40 .stack/logs/gms-compat.log
  }
# Its console ends on a pytest-like banner ("== 2 warnings in 143.20s ==") that reads as "no test ran" to a log
# reader; the full output is in the log, and the counts below come from its JUnit report.
grep -A1 -E '^(Test cases|API Operations):' .stack/logs/schemathesis.log | grep -v -- '--' || true
echo "schemathesis output: .stack/logs/schemathesis.log"
phase_end
