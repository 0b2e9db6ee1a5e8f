#!/usr/bin/env bash
# End-to-end suite: builds the app, starts the portal (backend serving the app)
# on a free port with a fresh embedded database, runs the Playwright journeys in
# Debian's Chromium, and tears the portal down again, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[fleetdeck:e2e] %s\n' "$*" >&2; }

[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || {
  say "ERROR: Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium}: run 'bash scripts/ensure-deps.sh system' as root, or apt-get install chromium"
  exit 1
}

work=$(mktemp -d -t fleetdeck-e2e.XXXXXX)
# shellcheck source=lib/backend.sh
. scripts/lib/backend.sh
cleanup() {
  stop_backend
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

say "building the app"
# One build at a time: parallel runs would write the same packages/app/dist.
(cd packages/app && flock /tmp/fleetdeck-app-build.lock \
  npx backstage-cli package build >"$work/app-build.log" 2>&1) || {
  cat "$work/app-build.log"; say "ERROR: the app build failed"; exit 1; }

port=$(free_port)
url="http://localhost:$port"
cat >"$work/app-config.e2e.yaml" <<YAML
app:
  baseUrl: $url
backend:
  baseUrl: $url
  listen:
    port: $port
    host: 127.0.0.1
  cors:
    origin: $url
# The healing banner journey waits for two reconcile passes: every 20 s here
# instead of the module's default minute.
catalog:
  providers:
    fleet:
      reconcile:
        schedule:
          frequency: { seconds: 20 }
          timeout: { minutes: 1 }
          initialDelay: { seconds: 5 }
YAML
export FLEETDECK_DATA_DIR="$work/data" FLEETDECK_DEMO_DIR="$work/demo"
mkdir -p "$FLEETDECK_DATA_DIR"
say "preparing the demo data"
bash scripts/prepare-demo.sh

say "starting the portal on $url"
start_backend packages/backend "$work/backend.log" node \
  --config ../../app-config.yaml --config "$work/app-config.e2e.yaml"
if ! wait_ready "$url" app; then
  tail -n 80 "$work/backend.log"
  say "ERROR: the portal did not become ready on $url"
  exit 1
fi

# Ready means the demo data is in: the catalog's kinds and their counts have
# settled (providers and locations are ingested asynchronously after start).
say "waiting for the catalog to ingest the demo data"
token=$(curl -fsS -X POST "$url/api/auth/guest/refresh" |
  node -pe 'JSON.parse(require("fs").readFileSync(0)).backstageIdentity.token')
last="" same=0
for _ in $(seq 1 240); do
  facets=$(curl -fsS -H "Authorization: Bearer $token" \
    "$url/api/catalog/entity-facets?facet=kind" 2>/dev/null || true)
  if [ -n "$facets" ] && [ "$facets" = "$last" ] && grep -q '"Component"' <<<"$facets"; then
    same=$((same + 1))
    [ $same -ge 3 ] && break
  else
    same=0
  fi
  last=$facets
  sleep 2
done
if [ $same -lt 3 ]; then
  say "ERROR: the catalog did not settle; kinds seen: ${last:-none}"
  tail -n 80 "$work/backend.log"
  exit 1
fi
say "catalog ready: $(node -pe 'JSON.parse(process.argv[1]).facets.kind.map(f => f.value + " " + f.count).join(", ")' "$last")"

say "running the journeys in Chromium"
status=0
PLAYWRIGHT_URL="$url" npx playwright test "$@" || status=$?
if [ $status -ne 0 ]; then
  say "backend log (last 60 lines):"
  tail -n 60 "$work/backend.log" >&2
fi
exit $status
