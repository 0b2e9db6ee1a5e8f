#!/usr/bin/env bash
# Prepares the demo's data outside the catalog (git repositories of the demo
# services, recorded deployments, ...). Each plugin adds a hook as
# scripts/demo.d/NN-name.sh; hooks run in order with FLEETDECK_DEMO_DIR set and
# must be idempotent (the quick start runs them on every start).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLEETDECK_DEMO_DIR="${FLEETDECK_DEMO_DIR:-$PWD/.fleetdeck/demo}"
mkdir -p "$FLEETDECK_DEMO_DIR"
for hook in scripts/demo.d/*.sh; do
  [ -e "$hook" ] || continue
  bash "$hook"
done
