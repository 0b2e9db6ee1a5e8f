#!/usr/bin/env bash
# The whole suite: installs what the tests need, then type check, lint, every
# package's tests (database tests on SQLite, and on PostgreSQL when
# BACKSTAGE_TEST_DATABASE_POSTGRES*_CONNECTION_STRING is set), and the
# end-to-end journeys in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n[fleetdeck:test] %s\n' "$*" >&2; }

bash scripts/ensure-deps.sh node system

say "type check"
npx tsc

say "lint"
npx backstage-cli repo lint

say "package tests"
CI=true npx backstage-cli repo test

say "end-to-end journeys"
bash scripts/e2e.sh

say "all checks passed"
