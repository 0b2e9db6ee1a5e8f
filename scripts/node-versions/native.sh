#!/usr/bin/env bash
# Compiles better-sqlite3, the native addon the tests load (ssh2's optional
# addons fall back to JavaScript), for the Node release in <node-home>
# (scripts/node-home.sh) against that release's headers, and prints the
# directory holding the .node files. Cached by Node and addon version.
#   scripts/node-versions/native.sh <node-home>
set -euo pipefail
cd "$(dirname "$0")/../.."
home=${1:?usage: native.sh <node-home>}
version=$("$home/bin/node" --version)
addon=better-sqlite3
addon_version=$(node -p "require('$addon/package.json').version")
out="$PWD/node_modules/.cache/fleetdeck-native/$version-$addon-$addon_version"
if ! [ -f "$out/better_sqlite3.node" ]; then
  echo "[fleetdeck] compiling $addon $addon_version for Node $version" >&2
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  cp -r "node_modules/$addon/." "$src/"
  rm -rf "$src/build"
  gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$src" && PATH="$home/bin:$PATH" "$home/bin/node" "$gyp" rebuild --release \
    --nodedir="$home" -j 2 >"$src/gyp.log" 2>&1) ||
    { tail -30 "$src/gyp.log" >&2; echo "[fleetdeck] ERROR: compiling $addon for Node $version failed" >&2; exit 1; }
  mkdir -p "$out"
  cp "$src/build/Release/better_sqlite3.node" "$out/"
fi
echo "$out"
