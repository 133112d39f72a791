#!/usr/bin/env bash
# Install the real services some tests use, from Debian's archive, when they are missing:
#   scripts/install-test-services.sh [PROGRAM ...]    default: chromium redis-server
# chromium renders report.html (tests/test_htmlreport.py); redis-server backs the shared
# near-duplicate state (tests/test_dedupstate.py). No-op for programs already on PATH; needs
# root (or sudo) and apt. Tests that need a program this cannot install skip with the reason.
set -euo pipefail
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(chromium redis-server)
missing=()
for program in "${programs[@]}"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[ ${#missing[@]} -gt 0 ] || exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-services: apt-get not found; install ${missing[*]} by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-test-services: needs root or sudo for ${missing[*]}" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# the Debian package names equal the program names for both services
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for program in "${missing[@]}"; do
  command -v "$program" >/dev/null 2>&1
done
