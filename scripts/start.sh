#!/usr/bin/env bash
# Quick start: installs what is missing, then serves the portal with the demo
# data: frontend on http://localhost:3000, backend on http://localhost:7007.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh node
export FLEETDECK_DATA_DIR="${FLEETDECK_DATA_DIR:-$PWD/.fleetdeck/data}"
export FLEETDECK_DEMO_DIR="${FLEETDECK_DEMO_DIR:-$PWD/.fleetdeck/demo}"
mkdir -p "$FLEETDECK_DATA_DIR"
bash scripts/prepare-demo.sh
exec npx backstage-cli repo start "$@"
