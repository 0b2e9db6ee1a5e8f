# Starting and stopping a Backstage backend from source for the scripts that
# drive a whole portal (e2e.sh, adoption.sh, node-versions.sh). Source it.
#
#   port=$(free_port)
#   start_backend <backend-dir> <log> <node> --config a.yaml --config b.yaml
#   wait_ready <url> [app]     # `app`: the app's index page must be served too
#   stop_backend               # also from an EXIT trap; safe to call twice
#
# The backend runs without the CLI's file watcher (files that change in a
# shared checkout must not restart it), in its own process group, so stopping
# it stops every child (ansible-playbook, git) with it.

backend_pid=""

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_backend() {
  local dir=$1 log=$2 node=$3
  shift 3
  (cd "$dir" && NODE_ENV=development LOG_LEVEL=${LOG_LEVEL:-warn} exec setsid \
    "$node" -r @backstage/cli/config/nodeTransform.cjs src/index.ts "$@" \
    >"$log" 2>&1) &
  backend_pid=$!
}

# Waits up to 3 minutes; returns non-zero if the backend exits or never answers.
wait_ready() {
  local url=$1 app=${2:-}
  for _ in $(seq 1 180); do
    if curl -fsS "$url/.backstage/health/v1/readiness" >/dev/null 2>&1 &&
      { [ -z "$app" ] || curl -fsS "$url/" 2>/dev/null | grep -q '<div id="root">'; }; then
      return 0
    fi
    kill -0 "$backend_pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

stop_backend() {
  [ -n "$backend_pid" ] || return 0
  if kill -0 "$backend_pid" 2>/dev/null; then
    kill -TERM -- "-$backend_pid" 2>/dev/null || kill -TERM "$backend_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$backend_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$backend_pid" 2>/dev/null || true
  fi
  backend_pid=""
}
