#!/usr/bin/env bash
# Installs Debian's chromium (for test/swagger-ui.e2e-spec.ts) when /usr/bin/chromium is missing.
# Idempotent: does nothing when it is there. Never downloads a browser from anywhere but Debian's
# package repositories. When it cannot install (not root, no apt-get, apt fails) it says why on one
# line starting with "SKIP:" and exits 0, so the test can skip with that message. CHROMIUM_PATH
# overrides where the browser is expected (default /usr/bin/chromium, where Debian puts it).
set -uo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "SKIP: $CHROMIUM is missing and installing Debian's chromium needs root (run: sudo apt-get install -y chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "SKIP: $CHROMIUM is missing and there is no apt-get to install Debian's chromium with"
  exit 0
fi

t0=$(date +%s)
echo "installing Debian's chromium (apt-get update, apt-get install -y chromium) ..."
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q >/tmp/install-browser.apt.log 2>&1; then
  echo "SKIP: apt-get update failed ($(tail -n 1 /tmp/install-browser.apt.log)); see /tmp/install-browser.apt.log"
  exit 0
fi
if ! apt-get install -y -q --no-install-recommends chromium >>/tmp/install-browser.apt.log 2>&1; then
  echo "SKIP: apt-get install chromium failed ($(tail -n 1 /tmp/install-browser.apt.log)); see /tmp/install-browser.apt.log"
  exit 0
fi
dt=$(( $(date +%s) - t0 ))
if [ ! -x "$CHROMIUM" ]; then
  # Installed but not where expected: a real problem, not a reason to skip.
  echo "ERROR: apt-get installed chromium but $CHROMIUM is not there (set CHROMIUM_PATH?)" >&2
  exit 1
fi
echo "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium) in ${dt}s"
