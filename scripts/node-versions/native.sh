#!/usr/bin/env bash
# Compiles better-sqlite3, the native addon the tests and the backend load
# (ssh2's optional addons fall back to JavaScript), for the Node release in
# <node-home> (scripts/node-home.sh) against that release's headers, and
# prints the directory holding the .node file. <addon-dir> is the installed
# better-sqlite3 to compile (default: this repository's); the result is
# cached per machine by Node and addon version under FLEETDECK_CACHE
# (default ~/.cache/fleetdeck): the first compile takes about 3.5 minutes.
#   scripts/node-versions/native.sh <node-home> [addon-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
home=${1:?usage: native.sh <node-home> [addon-dir]}
addon_dir=$(cd "${2:-node_modules/better-sqlite3}" && pwd)
version=$("$home/bin/node" --version)
addon_version=$(node -p "require('$addon_dir/package.json').version")
# shellcheck source=../lib/cache.sh
. scripts/lib/cache.sh
out="$FLEETDECK_CACHE/native/node-$version-better-sqlite3-$addon_version"
# one compile at a time per release and version; a waiting run uses its result
cache_lock "$out"
if ! [ -f "$out/better_sqlite3.node" ]; then
  echo "[fleetdeck] compiling better-sqlite3 $addon_version for Node $version" >&2
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  cp -r "$addon_dir/." "$src/"
  rm -rf "$src/build"
  gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$src" && PATH="$home/bin:$PATH" "$home/bin/node" "$gyp" rebuild --release \
    --nodedir="$home" -j 2 >"$src/gyp.log" 2>&1) ||
    { tail -30 "$src/gyp.log" >&2; echo "[fleetdeck] ERROR: compiling better-sqlite3 for Node $version failed" >&2; exit 1; }
  # written whole or not at all: a concurrent or interrupted run never sees half a file
  mkdir -p "$out"
  cp "$src/build/Release/better_sqlite3.node" "$out/.better_sqlite3.node.$$"
  mv "$out/.better_sqlite3.node.$$" "$out/better_sqlite3.node"
fi
echo "$out"
