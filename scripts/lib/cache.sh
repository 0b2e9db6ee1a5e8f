# The machine's cache of what Fleetdeck's scripts fetch or compile once (Node
# releases, native addons, the benchmark's stock app): FLEETDECK_CACHE, by
# default ~/.cache/fleetdeck. Outside the checkout, so a fresh clone reuses it.
# Source it.
#
#   cache_lock <path>   waits until no other script holds <path>.lock and holds
#                       it until this script exits (fd 9)

FLEETDECK_CACHE="${FLEETDECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetdeck}"

cache_lock() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1.lock"
  flock 9
}
