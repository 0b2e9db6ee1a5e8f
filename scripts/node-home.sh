#!/usr/bin/env bash
# Prints the directory of a Node.js release of the given major version, from
# the registry's node-<platform>-<arch> package (what the registry's `node`
# package installs): it holds bin/node, and include/node, the headers native
# addons are compiled against. Installed once per machine, under
# FLEETDECK_CACHE (default ~/.cache/fleetdeck), so a fresh clone reuses it.
#   scripts/node-home.sh 22
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: node-home.sh <major version>}
pkg=$(node -p '`node-${process.platform}-${process.arch}`')
# shellcheck source=lib/cache.sh
. scripts/lib/cache.sh
prefix="$FLEETDECK_CACHE/node/$major"
home="$prefix/node_modules/$pkg"
# one fetch at a time per release (CI runs two scripts that want it at once)
cache_lock "$prefix"
if ! [ -x "$home/bin/node" ] || ! [ -f "$home/include/node/node.h" ]; then
  echo "[fleetdeck] fetching Node $major ($pkg@$major) from the registry" >&2
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --loglevel=error \
    "$pkg@$major" >&2 ||
    { echo "[fleetdeck] ERROR: could not install $pkg@$major from the registry" >&2; exit 1; }
fi
[ -x "$home/bin/node" ] && [ -f "$home/include/node/node.h" ] ||
  { echo "[fleetdeck] ERROR: $pkg@$major has no bin/node with headers in $home" >&2; exit 1; }
echo "$home"
