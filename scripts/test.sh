#!/usr/bin/env bash
# The whole suite: installs what the tests need, then type check, lint, every
# package's tests (database tests on SQLite, and on PostgreSQL when
# BACKSTAGE_TEST_DATABASE_POSTGRES*_CONNECTION_STRING is set), and the
# end-to-end journeys in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n[fleetdeck:test] %s (+%d s)\n' "$*" "$SECONDS" >&2; }

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
# the suites that take minutes first (scripts/jest/sequencer.cjs says why); the
# JSON report gives each suite's time (scripts/jest/durations.mjs)
report=node_modules/.cache/fleetdeck-jest-report.json
mkdir -p node_modules/.cache
step=$SECONDS
CI=true npx backstage-cli repo test --verbose --testSequencer "$PWD/scripts/jest/sequencer.cjs" \
  --json --outputFile="$report"
say "package tests passed in $((SECONDS - step)) s; the suites that took 30 s or more:"
node scripts/jest/durations.mjs --print "$report" 30

step=$SECONDS
say "end-to-end journeys"
bash scripts/e2e.sh
say "end-to-end journeys passed in $((SECONDS - step)) s"

say "all checks passed"
