#!/bin/sh
# Start a throw-away local redis-server for the shared NearDup state (and its tests).
# Usage: scripts/redis-server.sh PORT DIR   -- runs in the foreground; no persistence, 127.0.0.1 only.
# Install: apt-get update && apt-get install -y redis-server
set -eu
PORT="${1:-6379}"
DIR="${2:-$(mktemp -d)}"
exec redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" --daemonize no
