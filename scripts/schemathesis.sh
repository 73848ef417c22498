#!/usr/bin/env bash
# OpenAPI-driven fuzzing: schemathesis (pinned in test/schemathesis/requirements.txt) reads the service's own
# published OpenAPI document and sends every operation schema-valid and schema-invalid requests (the document's
# examples, a coverage sweep of each constraint, random fuzzing, and stateful sequences). The run fails on
#   - any 5xx                                   (check not_a_server_error)
#   - any hang: no answer within --request-timeout (a network error)
#   - a status the operation does not declare   (status_code_conformance)
#   - a response whose media type, headers or body contradict what the document declares for it
#                                               (content_type_conformance, response_headers_conformance,
#                                                response_schema_conformance)
#   - a request the document calls invalid that is not refused with a 4xx
#                                               (negative_data_rejection, missing_required_header)
#   - a 4xx that is not a JSON object with a non-empty `message` (check json_error_body, test/schemathesis/hooks.py)
#   - a secured operation that answers without, or with a wrong, Authorization header (ignored_auth)
# and prints schemathesis's summary, with a curl reproducer for each failure.
#
#   scripts/schemathesis.sh [URL [TOKEN]] [-- extra schemathesis options]
#
# URL defaults to $GMS_URL, then http://127.0.0.1:$PORT (8080). TOKEN (a bearer token with scope "read write",
# e.g. from scripts/mint-token.js) defaults to $SCHEMATHESIS_TOKEN; without one every secured operation only
# answers 401 and the run says so. With a token, the script first waits for /health/ready and writes the entity the
# reads draw on (test/schemathesis/schemathesis.toml). The service should run both consumers (RUN_CONSUMERS=mce,mae)
# so that the trace endpoint sees the writes the stateful phase makes. Writes land in the service's topics, table and indices:
# point it at a test instance (scripts/test.sh runs it against the compat test's service).
#
# The virtualenv is .stack/venv-schemathesis (git-ignored), reused while requirements, constraints and Python are
# unchanged and rebuilt otherwise: a fresh one takes ~8 s (27 wheels, 69 MB, nothing built from source), a reused
# one ~0 s. The run is deterministic for a given service state (fixed seed, one worker, no example database).
# Environment:
#   PYTHON                         interpreter for the venv (default: python3; needs >= 3.11 and the venv module)
#   SCHEMATHESIS_VENV              venv directory (default: .stack/venv-schemathesis)
#   SCHEMATHESIS_MAX_EXAMPLES      test cases per operation and phase (default 100: ~3,700 cases, 130-230 s)
#   SCHEMATHESIS_SEED              random seed (default 20260101)
#   SCHEMATHESIS_REQUEST_TIMEOUT   seconds one request may take before it counts as a hang (default 15)
#   SCHEMATHESIS_WAIT_SECONDS      how long to wait for the OpenAPI document to answer (default 60)
#   SCHEMATHESIS_TIMEOUT_SECONDS   bound on the whole run (default 600; a normal run takes 130-230 s)
#   SCHEMATHESIS_WORK_DIR          the run's working directory (default: .stack/schemathesis): junit.xml, and the
#                                  crash cache of the last run, for `cd .stack/schemathesis && ../venv-schemathesis/bin/st
#                                  replay ID -H "Authorization: Bearer $TOKEN"`
#   SCHEMATHESIS_UNLOCKED=1        install without constraints.txt (to refresh the lock for a new version)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap print_phases EXIT

GMS_URL="${GMS_URL:-http://127.0.0.1:${PORT:-8080}}"
TOKEN="${SCHEMATHESIS_TOKEN:-}"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then GMS_URL="$1"; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then TOKEN="$1"; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
GMS_URL="${GMS_URL%/}"
PYTHON="${PYTHON:-python3}"
VENV="${SCHEMATHESIS_VENV:-.stack/venv-schemathesis}"
REQS=test/schemathesis/requirements.txt
CONSTRAINTS=test/schemathesis/constraints.txt
WORK_DIR="${SCHEMATHESIS_WORK_DIR:-.stack/schemathesis}"

phase_start "schemathesis venv"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "schemathesis: $PYTHON not found (set PYTHON to a Python >= 3.11)" >&2; exit 2
fi
if ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "schemathesis: $PYTHON must be >= 3.11 with the venv module (Debian: apt-get install python3-venv)" >&2; exit 2
fi
# The stamp names everything the venv was built from; any change rebuilds it.
stamp="$("$PYTHON" -c 'import sys; print(sys.version)' | head -1) | unlocked=${SCHEMATHESIS_UNLOCKED:-0} | $(cat "$REQS" "$CONSTRAINTS" | sha256sum | cut -c1-16)"
if [ -x "$VENV/bin/schemathesis" ] && [ "$(cat "$VENV/.schemathesis-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "reusing $VENV ($stamp)"
else
  echo "creating $VENV ($stamp)"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv --clear "$VENV"
  constraint_args=(-c "$CONSTRAINTS")
  [ "${SCHEMATHESIS_UNLOCKED:-0}" = 1 ] && constraint_args=()
  PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$REQS" "${constraint_args[@]}"
  echo "$stamp" > "$VENV/.schemathesis-stamp"
fi
"$VENV/bin/schemathesis" --version
phase_end

auth_args=()
if [ -n "$TOKEN" ]; then
  auth_args=(--header "Authorization: Bearer $TOKEN")
else
  echo "schemathesis: no TOKEN given: the secured operations will only be fuzzed as far as their 401" >&2
fi

# The stored entity the reads draw on half of the time (test/schemathesis/schemathesis.toml): written synchronously,
# once the service is ready, so that it is there from the first request on.
READ_URN='urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)'
if [ -n "$TOKEN" ]; then
  phase_start "schemathesis fixture"
  deadline=$(( $(date +%s) + ${SCHEMATHESIS_WAIT_SECONDS:-60} ))
  until curl -sf -o /dev/null "$GMS_URL/health/ready"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "schemathesis: $GMS_URL/health/ready did not answer 200" >&2; exit 2; fi
    sleep 1
  done
  if ! curl -sS --fail-with-body -m 30 -o /dev/null -X POST "$GMS_URL/openapi/v3/entity/dataset?async=false" \
    -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "[{\"urn\":\"$READ_URN\",\"status\":{\"value\":{\"removed\":false}},\"datasetProperties\":{\"value\":{\"name\":\"fct_users_created\"}}}]"; then
    echo "schemathesis: could not write the entity the reads draw on ($READ_URN)" >&2; exit 2
  fi
  phase_end
fi

phase_start "schemathesis run"
# Run in a directory of its own, emptied first: schemathesis keeps a crash cache (.schemathesis/) in the working
# directory and replays it at the next run, which would make runs depend on the ones before.
mkdir -p "$WORK_DIR"
rm -rf "$WORK_DIR/.schemathesis" "$WORK_DIR/.hypothesis" "$WORK_DIR/junit.xml"
ROOT="$PWD"
ST="$(cd "$VENV" && pwd)/bin/schemathesis"
# --config-file: ours (no settings), so that no other schemathesis.toml is discovered.
# --workers 1: deterministic order, and CPython 3.11 can raise a spurious "AST constructor recursion depth
#   mismatch" inside hypothesis when several worker threads build strategies at once (CPython gh-106905).
# --generation-database none: no examples carried over between runs.
# --output-sanitize true: the token is printed as [Filtered] in the reproducers.
# timeout: a bound on the whole run even if every request hangs (each one is bounded by --request-timeout).
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
CHECKS+=,negative_data_rejection,missing_required_header,ignored_auth,json_error_body
rc=0
(cd "$WORK_DIR" && SCHEMATHESIS_HOOKS="$ROOT/test/schemathesis/hooks.py" timeout "${SCHEMATHESIS_TIMEOUT_SECONDS:-600}" "$ST" \
  --config-file "$ROOT/test/schemathesis/schemathesis.toml" run "$GMS_URL/openapi/v3/api-docs" \
  --url "$GMS_URL" \
  --mode all \
  --checks "$CHECKS" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
  --seed "${SCHEMATHESIS_SEED:-20260101}" \
  --workers 1 \
  --request-timeout "${SCHEMATHESIS_REQUEST_TIMEOUT:-15}" \
  --wait-for-schema "${SCHEMATHESIS_WAIT_SECONDS:-60}" \
  --generation-database none \
  --output-sanitize true \
  --no-color \
  --report junit --report-junit-path junit.xml \
  "${auth_args[@]}" "$@") || rc=$?
phase_end
if [ "$rc" = 124 ]; then
  echo "schemathesis: the run did not finish within ${SCHEMATHESIS_TIMEOUT_SECONDS:-600} s (the service hangs?)" >&2
fi
if [ "$rc" != 0 ]; then echo "schemathesis: FAILED (exit $rc); junit report: $WORK_DIR/junit.xml" >&2; fi
exit "$rc"
