#!/usr/bin/env bash
# Quick start: installs what is missing, then serves the portal with the demo
# data: frontend on http://localhost:3000, backend on http://localhost:7007.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh node
mkdir -p .fleetdeck/data
exec npx backstage-cli repo start "$@"
