#!/usr/bin/env bash
# Trains a model when there is none, or when the training data, config or
# domain changed since the newest model; otherwise keeps the newest model.
set -euo pipefail
cd "$(dirname "$0")/.."

newest=$(ls -t models/*.tar.gz 2>/dev/null | head -n 1 || true)
if [ -n "$newest" ] && [ -z "$(find data config.yml domain.yml -type f -newer "$newest" | head -n 1)" ]; then
  echo "Model is up to date: $newest"
  exit 0
fi

echo "Training a model (data, config or domain changed since the newest model)"
start=$(date +%s)
RASA_TELEMETRY_ENABLED=false .venv/bin/rasa train --config config.yml --domain domain.yml \
  --data data --out models --quiet
echo "Trained in $(( $(date +%s) - start )) s: $(ls -t models/*.tar.gz | head -n 1)"
