#!/usr/bin/env bash
# The adoption test (issue 16): what a platform team with its own Backstage
# does to get Fleetdeck, done to a stock app outside this repository.
#
#  1. packs every publishable package (scripts/pack-check.sh) and serves the
#     tarballs from a registry on 127.0.0.1 for the @fleetdeck scope only
#  2. generates a stock app with @backstage/create-app for the version in
#     backstage.json (create-app wants Node 22+ and yarn on the PATH: both come
#     from the npm registry through npx), and makes it installable with npm:
#     the three fixes the README names, and `file:` for the one `link:`
#  3. follows every plugin and module README's Install section word for word:
#     its `npm install --workspace ...` line (lines for the same workspace go
#     in one npm call, which installs the same), its `backend.add` lines, and
#     removing the allow-all policy; the frontend plugins need no code (the
#     new frontend system discovers them)
#  4. compiles a legacy-frontend example against the `/legacy` exports, runs
#     the app's `tsc` and pack-check's install checks on the app
#  5. builds the app, starts the backend on SQLite with a small inventory and
#     runs the journeys in scripts/adoption/journeys in Debian's Chromium
#
# Usage: bash scripts/adoption.sh
#   ADOPTION_WORK=DIR   work (and keep everything) in DIR; default: a temp
#                       directory, removed on success. A rerun with the same
#                       DIR skips the steps that finished there (each leaves
#                       DIR/.done-<step>): delete DIR for a clean run
#   ADOPTION_UNTIL=build  stop once the app is installed and built (with
#                       ADOPTION_WORK: what bench/workloads/adoption-rss.mjs uses)
#   ADOPTION_NODE_VERSIONS="22 24"  the other Node releases the backend starts
#                       on at the end (empty: none)
#   ADOPTION_BESIDE_INSTALL=<command>  runs in the background from the start of
#                       the npm installs (which mostly wait on the registry and
#                       the disk) and must pass before the journeys start; CI
#                       runs the package tests on Node 22 and 24 there. Not
#                       beside the packing: npm pack rewrites each package.json
#                       for a moment, which tests running then would see.
# Prints each phase's time. Exit code non-zero on any failure, naming it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
say() { printf '\n[fleetdeck:adoption] %s\n' "$*" >&2; }
fail() { say "ERROR: $*"; exit 1; }
SECONDS=0
PHASE="" phase_start=0
phase() {
  [ -z "$PHASE" ] || say "  ($PHASE took $((SECONDS - phase_start)) s)"
  PHASE="$1"; phase_start=$SECONDS
  say "$1"
}

CREATE_APP_VERSION=0.9.2 # writes backstage.json 1.55.0
BACKSTAGE_VERSION=$(node -p 'require("./backstage.json").version')
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] ||
  fail "Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium}: run 'bash scripts/ensure-deps.sh system'"
command -v ansible-playbook >/dev/null ||
  fail "ansible-playbook not found: run 'bash scripts/ensure-deps.sh system'"

if [ -n "${ADOPTION_WORK:-}" ]; then
  mkdir -p "$ADOPTION_WORK"
  WORK="$(cd "$ADOPTION_WORK" && pwd)"
  KEEP=1
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/fleetdeck-adoption.XXXXXX")"
  KEEP=""
fi
case "$WORK" in "$ROOT"/*) fail "work dir $WORK is inside the repository" ;; esac
APP="$WORK/my-portal"
# a step that finished in a kept work dir is not repeated
done_step() { touch "$WORK/.done-$1"; }
todo() { [ ! -e "$WORK/.done-$1" ] || { say "($1: done in $WORK before)"; false; }; }
registry_pid="" beside_pid=""
# shellcheck source=lib/backend.sh
. scripts/lib/backend.sh
cleanup() {
  status=$?
  stop_backend
  [ -z "$beside_pid" ] || kill -TERM -- "-$beside_pid" 2>/dev/null || kill -TERM "$beside_pid" 2>/dev/null || true
  [ -z "$registry_pid" ] || kill -TERM -- "-$registry_pid" 2>/dev/null || kill -TERM "$registry_pid" 2>/dev/null || true
  if [ $status -eq 0 ] && [ -z "$KEEP" ]; then rm -rf "$WORK"; else say "kept $WORK"; fi
}
trap cleanup EXIT INT TERM

# ------------------------------------------------------------------ pack
phase "packing the publishable packages"
if todo pack; then
  PACK_CHECK_WORK="$WORK/pack" PACK_CHECK_PACK_ONLY=1 bash scripts/pack-check.sh \
    >"$WORK/pack.log" 2>&1 || { tail -40 "$WORK/pack.log"; fail "packing"; }
  done_step pack
fi
LIST="$WORK/pack/publishable.tsv"

rm -f "$WORK/registry.port"
(setsid node scripts/adoption/registry.mjs "$WORK/pack/tarballs" "$WORK/registry.port" \
  >"$WORK/registry.log" 2>&1) &
registry_pid=$!
for _ in $(seq 1 50); do [ -s "$WORK/registry.port" ] && break; sleep 0.2; done
[ -s "$WORK/registry.port" ] || { cat "$WORK/registry.log"; fail "the local registry did not start"; }
REGISTRY="http://127.0.0.1:$(cat "$WORK/registry.port")/"

# ------------------------------------------------------------ create-app
phase "generating a stock app with @backstage/create-app@$CREATE_APP_VERSION"
if todo create-app; then
rm -rf "$APP"
(cd "$WORK" && npx -y -p node@22 -p yarn -p "@backstage/create-app@$CREATE_APP_VERSION" \
  sh -c 'echo my-portal | backstage-create-app --skip-install --path my-portal') \
  >"$WORK/create-app.log" 2>&1 || { tail -40 "$WORK/create-app.log"; fail "create-app"; }
APP_VERSION=$(node -p "require('$APP/backstage.json').version")
[ "$APP_VERSION" = "$BACKSTAGE_VERSION" ] ||
  fail "create-app@$CREATE_APP_VERSION wrote Backstage $APP_VERSION, this repository is on $BACKSTAGE_VERSION: pick the create-app release that writes $BACKSTAGE_VERSION"

# npm instead of yarn: the README's three fixes, and npm has no link: protocol
node - "$APP" <<'EOF'
const fs = require('fs'), path = require('path');
const [app] = process.argv.slice(2);
const edit = (file, f) => {
  const p = path.join(app, file);
  const json = JSON.parse(fs.readFileSync(p, 'utf8'));
  f(json);
  fs.writeFileSync(p, JSON.stringify(json, null, 2) + '\n');
};
edit('package.json', pkg => {
  pkg.overrides = {
    ...pkg.overrides,
    // yarn's resolutions (@types/react ^18) are npm's overrides
    ...pkg.resolutions,
    '@yarnpkg/core': '4.9.1',
    react: '^18.0.2',
    'react-dom': '^18.0.2',
  };
});
for (const ws of ['packages/app', 'packages/backend']) {
  edit(path.join(ws, 'package.json'), pkg => {
    for (const deps of [pkg.dependencies, pkg.devDependencies]) {
      for (const [name, spec] of Object.entries(deps ?? {})) {
        if (String(spec).startsWith('link:')) deps[name] = `file:${spec.slice(5)}`;
      }
    }
  });
}
EOF
# its @backstage/* packages as of the release it was generated for
node scripts/adoption/pin-release.mjs "$APP" "$ROOT" ||
  fail "pinning the stock app's @backstage packages to Backstage $BACKSTAGE_VERSION"
done_step create-app
fi

# ------------------------------------------------------------ install
phase "installing Fleetdeck as each README says"
if [ -n "${ADOPTION_BESIDE_INSTALL:-}" ]; then
  say "  beside the installs: $ADOPTION_BESIDE_INSTALL"
  (exec setsid bash -c "$ADOPTION_BESIDE_INSTALL" >"$WORK/beside.log" 2>&1) &
  beside_pid=$!
fi
if todo install; then
# @fleetdeck from the local registry, everything else from npm's own
printf 'legacy-peer-deps=true\n@fleetdeck:registry=%s\n' "$REGISTRY" >"$APP/.npmrc"
# the team's app as it is before Fleetdeck: installed (with `npm install
# --workspace`, npm installs that workspace alone, not the root's tools)
say "  npm install (the stock app)"
# --prefer-offline: the stock app's own ~3,200 packages resolve from npm's
# cache where an earlier run left them (their metadata requests are most of
# this install's time); Fleetdeck's packages below are always fetched from
# this run's registry.
(cd "$APP" && npm install --no-audit --no-fund --prefer-offline) >"$WORK/npm-install.log" 2>&1 ||
  { tail -60 "$WORK/npm-install.log"; fail "npm install of the stock app"; }
node scripts/adoption/readme-steps.mjs commands "$ROOT" "$LIST" >"$WORK/readme-commands.txt"
cat "$WORK/readme-commands.txt" >&2
# one npm call per workspace, with every package the README lines name there
node - "$WORK/readme-commands.txt" >"$WORK/npm-commands.txt" <<'EOF'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n');
const byWorkspace = new Map();
for (const line of lines) {
  const m = /^npm install --workspace (\S+) ((?:@fleetdeck\/\S+\s*)+)$/.exec(line);
  if (!m) { console.error(`not a README install line this test knows: ${line}`); process.exit(1); }
  byWorkspace.set(m[1], [...(byWorkspace.get(m[1]) ?? []), ...m[2].trim().split(/\s+/)]);
}
// the app's first: its install brings the whole tree
for (const [ws, pkgs] of [...byWorkspace].sort(([a], [b]) => (a === 'packages/app' ? -1 : b === 'packages/app' ? 1 : 0)))
  console.log(`${ws}\t${pkgs.join(' ')}`);
EOF
while IFS=$'\t' read -r ws pkgs; do
  say "  npm install --workspace $ws $pkgs"
  # shellcheck disable=SC2086
  (cd "$APP" && npm install --no-audit --no-fund --workspace "$ws" $pkgs) \
    >>"$WORK/npm-install.log" 2>&1 || { tail -60 "$WORK/npm-install.log"; fail "npm install --workspace $ws"; }
done <"$WORK/npm-commands.txt"
node scripts/adoption/readme-steps.mjs backend "$ROOT" "$LIST" "$APP"
done_step install
fi

# ------------------------------------------------------- compile, checks
phase "the legacy frontend example and the app's tsc"
if todo tsc; then
  mkdir -p "$APP/packages/app/src/legacy"
  cp scripts/adoption/legacy/LegacyFleetdeck.tsx "$APP/packages/app/src/legacy/"
  (cd "$APP" && npx tsc) >"$WORK/tsc.log" 2>&1 || { cat "$WORK/tsc.log"; fail "the stock app's tsc"; }
  done_step tsc
fi

phase "pack-check's install checks on the app"
if todo checks; then
  # the packages the READMEs installed (the demo sign-in provider is not one)
  node scripts/adoption/readme-steps.mjs installed "$ROOT" "$LIST" >"$APP/publishable.tsv"
  PACK_CHECK_WORK="$WORK/pack" PACK_CHECK_APP="$APP" bash scripts/pack-check.sh \
    >"$WORK/pack-app.log" 2>&1 || { tail -60 "$WORK/pack-app.log"; fail "pack-check on the app"; }
  done_step checks
fi

phase "building the app"
if todo build; then
  (cd "$APP/packages/app" && npx backstage-cli package build) >"$WORK/app-build.log" 2>&1 ||
    { tail -60 "$WORK/app-build.log"; fail "the app build"; }
  done_step build
fi


if [ -n "$beside_pid" ]; then
  phase "waiting for: $ADOPTION_BESIDE_INSTALL"
  beside=0
  wait "$beside_pid" || beside=$?
  beside_pid=""
  if [ $beside -ne 0 ]; then
    tail -n 150 "$WORK/beside.log" >&2
    fail "$ADOPTION_BESIDE_INSTALL (beside the installs) failed"
  fi
  grep -E '^(Tests:|Test Suites:)|\[fleetdeck:node-versions\]' "$WORK/beside.log" >&2 || true
fi

if [ "${ADOPTION_UNTIL:-}" = build ]; then
  phase "done"
  say "the stock app is installed and built in $APP (ADOPTION_UNTIL=build)"
  exit 0
fi

# ----------------------------------------------------------- start, journeys
phase "starting the stock app's backend on SQLite"
export FLEETDECK_DEMO_DIR="$WORK/demo"
# fresh demo repositories too: a rerun's template must not meet the last one's service
rm -rf "$FLEETDECK_DEMO_DIR"
bash scripts/prepare-demo.sh >"$WORK/demo.log" 2>&1 || { tail -40 "$WORK/demo.log"; fail "the demo data"; }
# a fresh embedded database on every start (a rerun may have other versions)
rm -rf "$WORK/data"
mkdir -p "$WORK/inventory" "$WORK/data"
cp scripts/adoption/inventory/hosts.ini "$WORK/inventory/"
cp -r examples/inventory/group_vars "$WORK/inventory/"
port=$(free_port)
url="http://localhost:$port"
sed -e "s|__ROOT__|$ROOT|g" -e "s|__WORK__|$WORK|g" -e "s|__URL__|$url|g" -e "s|__PORT__|$port|g" \
  scripts/adoption/app-config.adoption.yaml >"$APP/app-config.adoption.yaml"
start_backend "$APP/packages/backend" "$WORK/backend.log" node \
  --config ../../app-config.yaml --config ../../app-config.adoption.yaml
wait_ready "$url" app || { tail -80 "$WORK/backend.log"; fail "the stock app did not become ready on $url"; }
ps -o rss= -p "$(pgrep -g "$backend_pid" -f 'src/index.ts' | head -1)" >"$WORK/backend.rss" 2>/dev/null || true

phase "journeys in the stock app"
status=0
(cd scripts/adoption && PLAYWRIGHT_URL="$url" ADOPTION_SCREENSHOTS="$ROOT/docs/screenshots" \
  npx playwright test -c playwright.config.ts "$@") || status=$?
if [ $status -ne 0 ]; then
  tail -60 "$WORK/backend.log" >&2
  fail "journeys in the stock app"
fi
# ------------------------------------------------------ Node 22 and 24
# The same stock app's backend on each other Node release Fleetdeck supports:
# it starts (migrations on a fresh database) and runs one runbook through the
# API. The app was installed with this machine's Node; better-sqlite3 is
# compiled for each release (scripts/node-versions) and loaded in its place.
for major in ${ADOPTION_NODE_VERSIONS-22 24}; do
  phase "the stock app's backend on Node $major: start, one runbook run"
  stop_backend
  home=$(bash scripts/node-home.sh "$major") || fail "fetching Node $major"
  sqlite=$(cd "$APP/packages/backend" && node -p 'require("path").dirname(require.resolve("better-sqlite3/package.json"))')
  native=$(bash scripts/node-versions/native.sh "$home" "$sqlite") ||
    fail "compiling better-sqlite3 for Node $major"
  rm -rf "$WORK/data" && mkdir -p "$WORK/data"
  export FLEETDECK_NATIVE_DIR="$native" NODE_OPTIONS="--require $ROOT/scripts/node-versions/preload.cjs"
  start_backend "$APP/packages/backend" "$WORK/backend-node$major.log" "$home/bin/node" \
    --config ../../app-config.yaml --config ../../app-config.adoption.yaml
  unset FLEETDECK_NATIVE_DIR NODE_OPTIONS
  wait_ready "$url" app || { tail -80 "$WORK/backend-node$major.log"; fail "the stock app did not start on Node $major"; }
  running=$(tr '\0' ' ' <"/proc/$backend_pid/cmdline" | cut -d' ' -f1)
  say "  backend ready on $("$running" --version) ($running)"
  node scripts/node-versions/runbook-smoke.mjs "$url" ||
    { tail -60 "$WORK/backend-node$major.log" >&2; fail "the runbook run on Node $major"; }
done

phase "done"
say "adoption test passed in ${SECONDS} s"
