#!/usr/bin/env bash
# Every benchmark of docs/benchmarks.md, one after another, each writing its JSON report to var/bench/.
# Needs what `make test` sets up, plus PostgreSQL and Redis on loopback for the production runs (skipped
# without them). Takes about 15 minutes on 2 cores; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=var/bench
mkdir -p "$OUT"
PY=.venv/bin/python
$PY -m scripts.bench --out "$OUT/retrieval.json"
$PY -m scripts.load api --start embedded --concurrency 4 --duration 20 --out "$OUT/api-1worker-4clients.json"
$PY -m scripts.load api --start embedded --concurrency 4 --duration 20 --unique --out "$OUT/api-1worker-4clients-unique.json"
$PY -m scripts.load api --start embedded --concurrency 8 --duration 20 --out "$OUT/api-1worker.json"
$PY -m scripts.load api --start embedded --concurrency 8 --duration 20 --unique --out "$OUT/api-1worker-unique.json"
GUICHET_EMBEDDING_BACKEND=onnx $PY -m scripts.load api --start embedded --concurrency 4 --duration 20 --unique \
  --out "$OUT/api-1worker-4clients-unique-fp32.json"
GUICHET_EMBEDDING_BACKEND=torch $PY -m scripts.load api --start embedded --concurrency 8 --duration 20 --unique \
  --out "$OUT/api-1worker-unique-torch.json"
$PY -m scripts.load api --start embedded --api-workers 2 --concurrency 8 --duration 20 --out "$OUT/api-2workers.json"
$PY -m scripts.load rasa --start embedded --conversations 1 --pause 0 --duration 30 --out "$OUT/rasa-turn.json"
$PY -m scripts.load saturate --start embedded --steps 1,2,4,8,16,32 --duration 20 --out "$OUT/saturate-1rasa-embedded.json"
$PY -m scripts.load rasa --start embedded --conversations 50 --pause 2 --duration 60 --out "$OUT/rasa-50x2s.json"
# the same founders all arriving in the same instant (no ramp): the start-up burst of first messages
$PY -m scripts.load rasa --start embedded --conversations 50 --pause 2 --ramp 0 --duration 60 \
  --out "$OUT/rasa-50x2s-burst.json"
$PY -m scripts.load rasa --start embedded --conversations 8 --pause 0 --duration 20 --profile "$OUT/profile" \
  --out "$OUT/rasa-8-profiled.json"
if pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  $PY -m scripts.load saturate --start production --rasa-instances 1 --steps 1,2,4,8,16,32 --duration 20 \
    --out "$OUT/saturate-1rasa.json"
  $PY -m scripts.load saturate --start production --rasa-instances 2 --steps 1,2,4,8,16,32 --duration 20 \
    --out "$OUT/saturate-2rasa.json"
  $PY -m scripts.load rasa --start production --rasa-instances 2 --conversations 50 --pause 2 --duration 60 \
    --out "$OUT/rasa-50x2s-2rasa.json"
else
  echo "PostgreSQL or Redis not reachable on 127.0.0.1: production runs skipped" >&2
fi
$PY -m scripts.bench_staff --conversations 10000 --browser > "$OUT/staff.txt"
echo "reports in $OUT/"
