#!/usr/bin/env bash
# Start Luigi's central scheduler for newsclean workers on one or many machines.
#   scripts/luigid.sh [--background]      (HOST, PORT and STATE_DIR from the environment)
# Workers then run: newsclean run ... --scheduler-url http://HOST:PORT
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8082}"
STATE_DIR="${STATE_DIR:-$here/output/.luigid}"
mkdir -p "$STATE_DIR/log"
luigid="$here/.venv/bin/luigid"
[ -x "$luigid" ] || luigid="$(command -v luigid)"
export LUIGI_CONFIG_PATH="$here/configs/luigi.cfg"
args=(--address "$HOST" --port "$PORT" --state-path "$STATE_DIR/state.pickle" --logdir "$STATE_DIR/log")
if [ "${1:-}" = "--background" ]; then
  exec "$luigid" "${args[@]}" --pidfile "$STATE_DIR/luigid.pid" --background
fi
exec "$luigid" "${args[@]}"
