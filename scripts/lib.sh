# Shared by the project's scripts: timing of phases, and installing node modules when needed.
PHASES=()
phase_start() { PHASE_NAME="$1"; PHASE_T0=$(date +%s); echo "==> $1"; }
phase_end() { local dt=$(( $(date +%s) - PHASE_T0 )); PHASES+=("$(printf '%-28s %5ss' "$PHASE_NAME" "$dt")"); echo "<== $PHASE_NAME (${dt}s)"; }
print_phases() { echo "---- phase timings ----"; for p in "${PHASES[@]}"; do echo "$p"; done; }

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}

# Loads docker/local/local.env unless the caller already set a value.
load_local_env() {
  local line key
  while IFS= read -r line; do
    [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || continue
    key="${BASH_REMATCH[1]}"
    [ -n "${!key:-}" ] || export "$key=${BASH_REMATCH[2]}"
  done < docker/local/local.env
}
