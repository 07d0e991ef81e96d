#!/usr/bin/env bash
# Starts the API, the action server and the Rasa server on loopback; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
# Conversations, hand-offs and e-mail addresses live in the SQLite files this stack creates (the API's database,
# Rasa's tracker store, their -wal and -shm): readable by this user only. SQLite gives side files the mode of
# their database file; a file made before with a looser umask is tightened below.
umask 077
ROOT=$PWD
API_PORT=${PORT:-8000}
mkdir -p var
export GUICHET_API_URL=${GUICHET_API_URL:-http://127.0.0.1:$API_PORT}
export GUICHET_ACTIONS_URL=${GUICHET_ACTIONS_URL:-http://127.0.0.1:5055/webhook}
# Rasa's tracker store, which the API also reads (staff conversations, analytics, erasure, purge):
# the API's default is <GUICHET_DATA_DIR>/rasa-tracker.db; both are pinned to the same file here.
DATA_DIR=${GUICHET_DATA_DIR:-$ROOT/var}
case $DATA_DIR in /*) ;; *) DATA_DIR=$ROOT/$DATA_DIR ;; esac  # Rasa runs from bot/: absolute paths only
mkdir -p "$DATA_DIR"
export RASA_SQLITE_PATH=${RASA_SQLITE_PATH:-$DATA_DIR/rasa-tracker.db}
export GUICHET_TRACKER_DB_URL=${GUICHET_TRACKER_DB_URL:-sqlite:///$RASA_SQLITE_PATH}
for f in "$RASA_SQLITE_PATH" "$RASA_SQLITE_PATH"-wal "$RASA_SQLITE_PATH"-shm "$RASA_SQLITE_PATH"-journal; do
  if [ -e "$f" ]; then chmod 600 "$f"; fi
done
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# The bot's service credential (docs/security.md, item 2): a fresh secret for each run, never written to disk.
# The action server sends it; the API keeps only its SHA-256. Given already (both variables), it is kept.
if [ -z "${GUICHET_BOT_API_KEY:-}" ]; then
  GUICHET_BOT_API_KEY="gs_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  unset GUICHET_SERVICE_KEY_SHA256
fi
export GUICHET_SERVICE_KEY_SHA256=${GUICHET_SERVICE_KEY_SHA256:-$(printf %s "$GUICHET_BOT_API_KEY" | sha256sum | cut -d' ' -f1)}
# The web widget's session secret (docs/security.md, item 5): it signs the token binding a chat session to the tab
# that opened it. Kept in the data folder (0600, under this umask) so that a restart does not end open sessions.
if [ -z "${GUICHET_CHAT_SESSION_SECRET:-}" ]; then
  CHAT_SECRET_FILE=$DATA_DIR/chat-session.secret
  if [ ! -s "$CHAT_SECRET_FILE" ]; then head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$CHAT_SECRET_FILE"; fi
  chmod 600 "$CHAT_SECRET_FILE"
  GUICHET_CHAT_SESSION_SECRET=$(cat "$CHAT_SECRET_FILE")
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/uvicorn api.main:create_app --factory --host 127.0.0.1 --port "$API_PORT" &
pids+=($!)
(cd bot && SANIC_HOST=127.0.0.1 GUICHET_BOT_API_KEY=$GUICHET_BOT_API_KEY exec ../.venv-rasa/bin/rasa run actions --actions actions --port 5055) &
pids+=($!)
(cd bot && GUICHET_CHAT_SESSION_SECRET=$GUICHET_CHAT_SESSION_SECRET exec ../.venv-rasa/bin/rasa run --model models/current.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --interface 127.0.0.1 --port 5005 --cors "*") &
pids+=($!)
echo "API http://127.0.0.1:$API_PORT · Rasa http://127.0.0.1:5005 · actions http://127.0.0.1:5055 (Ctrl-C stops)"
wait -n
