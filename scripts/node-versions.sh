#!/usr/bin/env bash
# Fleetdeck's tests on the other Node releases it supports (Node 20 runs the
# whole suite): for each major version given (default: 22 24) it takes that
# release from the registry (scripts/node-home.sh), compiles better-sqlite3
# for it (scripts/node-versions/native.sh; cached per machine) and runs the
# package tests below with it: Jest, its workers and every process they start
# run on that Node. The backend start and a runbook run on each release are
# in the adoption test (scripts/adoption.sh), in a stock app.
#   bash scripts/node-versions.sh [22 24]
#   NODE_VERSIONS_TESTS=all ...   every package test instead (about 20 minutes
#                                 a release here; CI runs the list below)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
say() { printf '\n[fleetdeck:node-versions] %s\n' "$*" >&2; }

# The suites that reach what differs between Node releases: the native
# database driver on SQLite and PostgreSQL, child processes (ansible-playbook,
# git, ssh), TLS and crypto, HTTP servers and clients, streams, and React in
# jsdom, and the service the Microservice template generates running its own
# tests on that release. One or more per backend plugin and module; for the
# two frontend plugins, the page tests that render React in jsdom and read a
# streamed log (the rest of their tests is logic no Node release changes, and
# took a third of each release's time).
TESTS=(
  plugins/fleetdeck-node/src
  plugins/runbooks-backend/src/engine/RunWorker.test.ts
  plugins/runbooks-backend/src/router/router.test.ts
  plugins/runbooks-backend/src/trust/trust.test.ts
  plugins/runbooks-backend-module-ansible/src
  plugins/runbooks-backend-module-ssh/src
  plugins/runbooks-backend-module-tls/src
  plugins/runbooks-backend-module-vault/src
  plugins/runbooks-backend-module-http/src
  plugins/runbooks-backend-module-aap/src
  plugins/catalog-backend-module-fleet/src/inventory/AnsibleInventory.test.ts
  plugins/catalog-backend-module-fleet/src/module.test.ts
  plugins/deployments-backend/src/service/DiffService.test.ts
  plugins/deployments-backend/src/database/DeploymentStore.test.ts
  plugins/changes-backend/src/search/CodeSearch.test.ts
  plugins/permission-backend-module-fleetdeck/src
  plugins/scaffolder-backend-module-fleet/src/templates.test.ts
  plugins/fleet/src/components/FleetPage/FleetPage.test.tsx
  plugins/runbooks/src/components/RunPage/RunPage.test.tsx
  plugins/runbooks/src/components/RunPage/useTargetLog.test.tsx
)

if [ "${NODE_VERSIONS_TESTS:-}" = all ]; then
  TESTS=(--testSequencer "$ROOT/scripts/jest/sequencer.cjs")
fi

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
export BACKSTAGE_TEST_DISABLE_DOCKER=1 CI=true
for major in "${majors[@]}"; do
  SECONDS=0
  home=$(bash scripts/node-home.sh "$major")
  native=$(bash scripts/node-versions/native.sh "$home")
  say "package tests on Node $("$home/bin/node" --version) (${NODE_VERSIONS_TESTS:-${#TESTS[@]} paths})"
  PATH="$home/bin:$PATH" FLEETDECK_NATIVE_DIR="$native" \
    NODE_OPTIONS="--require $ROOT/scripts/node-versions/preload.cjs" \
    node_version="$major" \
    bash -c '[ "$(node -p "process.versions.node.split(\".\")[0]")" = "$node_version" ] ||
      { echo "node on PATH is $(node --version), not $node_version" >&2; exit 1; }
      exec npx backstage-cli repo test "$@"' _ "${TESTS[@]}"
  say "Node $major: passed in ${SECONDS} s"
done
