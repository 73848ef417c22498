#!/usr/bin/env bash
# Installs everything and starts the whole service: the real stack (Kafka, MySQL, OpenSearch),
# then the HTTP service with both consumers embedded. Idempotent; `npm run stop` stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

phase_start "install"; ensure_node_modules; phase_end
phase_start "build"; npm run --silent build; phase_end
phase_start "stack up"; bash docker/local/stack.sh up; phase_end

load_local_env
export RUN_CONSUMERS="${RUN_CONSUMERS:-mce,mae}"
# Two worker processes (the production default is one per core): each embeds both consumers, which share
# the 3 partitions; more would mostly add memory on a laptop.
export GMS_WORKERS="${GMS_WORKERS:-2}"
# A signing secret of this machine's own, made once and kept out of git (.stack/ is ignored).
if [ -z "${AUTH_JWT_SECRET:-}" ]; then
  [ -f .stack/auth.secret ] || { mkdir -p .stack; node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" > .stack/auth.secret; chmod 600 .stack/auth.secret; }
  AUTH_JWT_SECRET="$(cat .stack/auth.secret)"
  export AUTH_JWT_SECRET
fi
PORT="${PORT:-8080}"
RUN_DIR=.stack/run
PID_FILE="$RUN_DIR/gms.pid"
LOG_FILE=.stack/logs/gms.log
mkdir -p "$RUN_DIR" .stack/logs

phase_start "service"
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "service already running (pid $(cat "$PID_FILE"))"
else
  PORT="$PORT" nohup node dist/apps/gms/src/main.js >>"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
fi
deadline=$(( $(date +%s) + 120 ))
until curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; do
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    echo "the service exited while starting; last lines of $LOG_FILE:"; tail -n 30 "$LOG_FILE"; exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "the service is not healthy after 120 s; health says:"; curl -sS "http://127.0.0.1:$PORT/health" || true
    echo; echo "log: $LOG_FILE"; exit 1
  fi
  sleep 1
done
phase_end
print_phases
TOKEN="$(node scripts/mint-token.js --sub urn:li:corpuser:datahub --scope 'read write' --hours 24)"

cat <<MSG

The service is up (pid $(cat "$PID_FILE"), $GMS_WORKERS workers; log $LOG_FILE), with the MCE and MAE consumers embedded:
  Swagger UI    http://127.0.0.1:$PORT/openapi/swagger-ui
  OpenAPI JSON  http://127.0.0.1:$PORT/openapi/v3/api-docs
  Health        http://127.0.0.1:$PORT/health

A token for the API (read and write, 24 h; mint another with: AUTH_JWT_SECRET=\$(cat .stack/auth.secret) node scripts/mint-token.js):
  $TOKEN
Use it as  -H 'Authorization: Bearer <token>'  with curl, or in Swagger UI: "Authorize", paste the token.
(AUTH_ENABLED=false npm run quickstart turns authentication off for local experiments.)

Stop everything with: npm run stop
MSG
