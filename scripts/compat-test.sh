#!/usr/bin/env bash
# Compatibility test: DataHub's own Python SDK (acryl-datahub, pinned in test/compat/requirements.txt), used
# unchanged, against a running service. It writes through the OpenAPI emitter in EmitMode.ASYNC_WAIT and expects
# its trace-wait loop to report persisted writes and to raise on a failed one (test/compat/datahub_sdk_compat.py).
#
#   scripts/compat-test.sh [GMS_URL]      GMS_URL defaults to $GMS_URL, then http://127.0.0.1:$PORT (8080)
#   scripts/compat-test.sh --venv-only    only build (or reuse) the virtualenv: test/sdk-backpressure.e2e-spec.ts
#                                         runs the SDK from it (scripts/test.sh builds it before the e2e tests)
#
# The service must run both consumers (RUN_CONSUMERS=mce,mae, or the standalone consumer apps); otherwise the
# writes are never reported persisted and the test fails.
# The virtualenv is .stack/venv-compat (git-ignored). It is reused while requirements, constraints and Python are
# unchanged, and rebuilt otherwise: a fresh one takes ~20 s (62 wheels, 21 MB, nothing built from source); a
# reused one ~0 s.
# Environment:
#   PYTHON                  interpreter for the venv (default: python3; needs >= 3.10 and the venv module)
#   COMPAT_VENV             venv directory (default: .stack/venv-compat)
#   COMPAT_TIMEOUT_SECONDS  the SDK's ASYNC_WAIT wait_timeout per emit (default 90)
#   COMPAT_WAIT_SECONDS     how long to wait for GMS_URL/config to answer before giving up (default 60)
#   COMPAT_REPORT           write the checks' {passed, failed} as JSON to this file (scripts/test.sh counts them)
#   COMPAT_UNLOCKED=1       install without constraints.txt (to refresh the lock for a new SDK version)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap print_phases EXIT

VENV_ONLY=0
if [ "${1:-}" = "--venv-only" ]; then VENV_ONLY=1; shift; fi
GMS_URL="${1:-${GMS_URL:-http://127.0.0.1:${PORT:-8080}}}"
GMS_URL="${GMS_URL%/}"
PYTHON="${PYTHON:-python3}"
VENV="${COMPAT_VENV:-.stack/venv-compat}"
REQS=test/compat/requirements.txt
CONSTRAINTS=test/compat/constraints.txt

phase_start "compat venv"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "compat-test: $PYTHON not found (set PYTHON to a Python >= 3.10)" >&2; exit 2
fi
if ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "compat-test: $PYTHON must be >= 3.10 with the venv module (Debian: apt-get install python3-venv)" >&2; exit 2
fi
# The stamp names everything the venv was built from; any change rebuilds it.
stamp="$("$PYTHON" -c 'import sys; print(sys.version)' | head -1) | unlocked=${COMPAT_UNLOCKED:-0} | $(cat "$REQS" "$CONSTRAINTS" | sha256sum | cut -c1-16)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.compat-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "reusing $VENV ($stamp)"
else
  echo "creating $VENV ($stamp)"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv --clear "$VENV"
  constraint_args=(-c "$CONSTRAINTS")
  [ "${COMPAT_UNLOCKED:-0}" = 1 ] && constraint_args=()
  # --no-compile: ~5 s faster; the modules the test imports are compiled on first use (~1 s).
  PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$REQS" "${constraint_args[@]}"
  echo "$stamp" > "$VENV/.compat-stamp"
fi
"$VENV/bin/python" -c 'import datahub; print("acryl-datahub", datahub.__version__)'
phase_end
[ "$VENV_ONLY" = 1 ] && exit 0

phase_start "compat wait for service"
deadline=$(( $(date +%s) + ${COMPAT_WAIT_SECONDS:-60} ))
until curl -fsS -o /dev/null --max-time 5 "$GMS_URL/config"; do
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "compat-test: $GMS_URL/config does not answer" >&2; exit 2; fi
  sleep 1
done
phase_end

phase_start "compat test (acryl-datahub)"
DATAHUB_TELEMETRY_ENABLED=false "$VENV/bin/python" test/compat/datahub_sdk_compat.py --gms "$GMS_URL" ${COMPAT_REPORT:+--report "$COMPAT_REPORT"}
phase_end
