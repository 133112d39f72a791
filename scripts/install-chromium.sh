#!/usr/bin/env bash
# Install Debian's chromium for the browser test of the HTML run report (tests/test_htmlreport.py).
#   scripts/install-chromium.sh        no-op when chromium is already on PATH; needs root (or sudo) and apt
# Debian's package, not a browser download: the machines reach Debian's archive and nothing else.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not found; install chromium by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-chromium: needs root or sudo" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null 2>&1
