#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: run as root (CI, a fresh machine).
# Each line says who needs it. Idempotent: installs only what is missing.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
want() { have "$1" || need+=("$1"); }

want chromium          # headless browser: accessibility checks of the book, hub end-to-end test
want postgresql        # gradebook on PostgreSQL (tests start their own server)
want bubblewrap        # grading sandbox: students' code runs in bwrap (no network, own folder)
want nodejs            # class hub: configurable-http-proxy from hub/package-lock.json (npm ci --prefix hub)
command -v npm >/dev/null || want npm   # (a Node.js build may already ship npm)
want passwd            # class hub tests: real system users and groups (useradd, chpasswd, groupadd)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} — run 'sudo bash .ci/system-deps.sh'" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
