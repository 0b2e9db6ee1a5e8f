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

say "formatting"
# every file prettier knows, as .prettierignore leaves them
npx prettier --check --loglevel warn .
node scripts/check-bench-imports.mjs

say "package tests"
# No Docker engine here: TestDatabases uses SQLite, plus every PostgreSQL whose
# BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING is set (.ci/run sets it).
export BACKSTAGE_TEST_DISABLE_DOCKER=1
if env | grep -q '^BACKSTAGE_TEST_DATABASE_POSTGRES[0-9]*_CONNECTION_STRING='; then
  echo "database tests run on SQLite and PostgreSQL"
else
  echo "database tests run on SQLite only (set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING to add PostgreSQL)"
fi
# the suites that take minutes first (scripts/jest/sequencer.cjs says why)
CI=true npx backstage-cli repo test --verbose --testSequencer "$PWD/scripts/jest/sequencer.cjs"

say "end-to-end journeys"
bash scripts/e2e.sh

say "all checks passed"
