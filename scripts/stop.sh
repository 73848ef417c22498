#!/usr/bin/env bash
# Stops what the quickstart started: the service, then the local stack (only what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
PID_FILE=.stack/run/gms.pid
if [ -f "$PID_FILE" ]; then
  pid=$(cat "$PID_FILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "service stopped (pid $pid)"
  fi
  rm -f "$PID_FILE"
fi
bash docker/local/stack.sh down
