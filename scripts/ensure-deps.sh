#!/usr/bin/env bash
# Installs what Fleetdeck needs on this machine, or fails naming what is missing.
#   ensure-deps.sh node     npm packages (npm ci when package-lock.json changed)
#   ensure-deps.sh system   Debian packages the tests drive (Chromium, git, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[fleetdeck] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

ensure_node() {
  command -v node >/dev/null || die "Node.js is not installed: install Node 20, 22 or 24"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node $major is too old: Fleetdeck needs Node 20, 22 or 24"
  local want have=""
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  [ -f node_modules/.fleetdeck-lock ] && have=$(cat node_modules/.fleetdeck-lock)
  if [ "$want" != "$have" ]; then
    # `npm install` installs exactly what package-lock.json records. `npm ci`
    # would refuse this lock: some of @swc/core's optional platform binaries
    # (darwin, win32-arm64, ...) are not served by every registry mirror, so
    # they cannot be recorded, and npm ci reports the lock as out of sync.
    say "installing npm packages (the first time takes about 5 minutes)"
    npm install --no-audit --no-fund
    sha256sum package-lock.json | cut -d' ' -f1 > node_modules/.fleetdeck-lock
  fi
}

# command -> Debian package that provides it
declare -A SYSTEM_PACKAGES=(
  [chromium]=chromium
  [git]=git
  [ansible-playbook]=ansible-core
  [ansible-inventory]=ansible-core
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [openssl]=openssl
  [flock]=util-linux
  [bwrap]=bubblewrap
)

ensure_system() {
  # sshd lives in /usr/sbin, which a non-login shell may not have on PATH.
  export PATH="$PATH:/usr/sbin:/sbin"
  local missing=()
  for cmd in "${!SYSTEM_PACKAGES[@]}"; do
    command -v "$cmd" >/dev/null || missing+=("${SYSTEM_PACKAGES[$cmd]}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    die "missing Debian packages: ${missing[*]} (install them with: sudo apt-get install -y ${missing[*]})"
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  for cmd in "${!SYSTEM_PACKAGES[@]}"; do
    command -v "$cmd" >/dev/null || die "$cmd is still missing after installing ${SYSTEM_PACKAGES[$cmd]}"
  done
}

for what in "$@"; do
  case "$what" in
    node) ensure_node ;;
    system) ensure_system ;;
    *) die "unknown: $what (use node or system)" ;;
  esac
done
