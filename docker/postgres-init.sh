#!/bin/sh
# Runs once, when the postgres service starts on an empty data volume: creates Rasa's tracker-store database
# next to the API's own (POSTGRES_DB, which the image creates itself), both owned by POSTGRES_USER.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE DATABASE \"$RASA_DB_NAME\" OWNER \"$POSTGRES_USER\""
