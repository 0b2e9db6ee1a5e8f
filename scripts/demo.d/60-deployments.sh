#!/usr/bin/env bash
# Demo git history for the deployments plugin: one repository per demo service
# under $FLEETDECK_DEMO_DIR/git/<service>.git (found through the Components'
# fleetdeck.io/git-repo annotation and deployments.git.allowedRoots), with
# authors from the demo org, feature branches merged as pull requests, and
# messages that carry PR numbers "(#123)" and ticket keys "PAY-142". Next to
# them, $FLEETDECK_DEMO_DIR/deployments/<service>.json records what runs in
# dev, staging and production (imported by deployments.importFiles), with
# staging a few commits ahead of production. Idempotent: a service whose
# repository exists is left alone.
set -euo pipefail
git_dir="$FLEETDECK_DEMO_DIR/git"
out_dir="$FLEETDECK_DEMO_DIR/deployments"
mkdir -p "$git_dir" "$out_dir"
now=$(date -u +%s)
day=86400

# service | ticket prefix | authors (name:email login, comma separated) | language file
services=(
  "payments-api|PAY|Emma Dubois:emma.dubois,Noah Jansen:noah.jansen,Lea Fischer:lea.fischer|src/orders.ts"
  "payments-ledger|LEDGER|Lea Fischer:lea.fischer,Noah Jansen:noah.jansen|src/main/java/bank/Ledger.java"
  "card-authorizer|CARD|Liam O'Connor:liam.oconnor,Chloe Bernard:chloe.bernard|src/main/java/bank/Authorizer.java"
  "card-tokenizer|CARD|Chloe Bernard:chloe.bernard,Liam O'Connor:liam.oconnor|src/tokenizer.ts"
  "fraud-detector|RISK|Arjun Mehta:arjun.mehta,Eva Novak:eva.novak|fraud/score.py"
  "credit-scoring|RISK|Eva Novak:eva.novak,Arjun Mehta:arjun.mehta|scoring/model.py"
  "sepa-gateway|SEPA|Noah Jansen:noah.jansen,Emma Dubois:emma.dubois|src/instant.ts"
)

subjects=(
  "Validate IBAN checksums before booking"
  "Add idempotency keys to order creation"
  "Reject expired cards early"
  "Emit metrics for p99 latency"
  "Retry Kafka producer on leader change"
  "Upgrade to Node 20 base image"
  "Tighten CORS for the web channel"
  "Log correlation ids on every request"
  "Cache FX rates for 60 seconds"
  "Handle SEPA instant timeouts"
  "Fix rounding of minor currency units"
  "Document the webhook retry policy"
  "Add circuit breaker around the ledger client"
  "Bump dependencies"
  "Reduce connection pool churn"
  "Mask PANs in error messages"
)

make_service() {
  local name=$1 prefix=$2 authors=$3 file=$4 seed=$5
  local repo="$git_dir/$name.git"
  [ -d "$repo" ] && return 0
  local tmp work t n=0 pr=$((100 + seed * 37)) ticket=$((140 + seed * 11))
  tmp=$(mktemp -d)
  work="$tmp/work"
  git init --quiet --initial-branch=main "$work"
  IFS=',' read -r -a people <<<"$authors"
  t=$((now - 13 * day + seed * 3600))

  commit() { # author-index days-forward message file
    local who=${people[$1 % ${#people[@]}]}
    local author=${who%%:*} login=${who#*:}
    t=$((t + $2 * day / 2 + 1800))
    mkdir -p "$work/$(dirname "$4")"
    printf '%s\n' "$3" "$n" >>"$work/$4"
    git -C "$work" add -- "$4"
    GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$login@fleetdeck.example" \
      GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$login@fleetdeck.example" \
      GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000" \
      git -C "$work" commit --quiet -m "$3"
    n=$((n + 1))
  }
  merge() { # branch pr-number message
    t=$((t + 3600))
    GIT_AUTHOR_NAME="Fleetdeck Bot" GIT_AUTHOR_EMAIL="bot@fleetdeck.example" \
      GIT_COMMITTER_NAME="Fleetdeck Bot" GIT_COMMITTER_EMAIL="bot@fleetdeck.example" \
      GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000" \
      git -C "$work" merge --quiet --no-ff -m "Merge pull request #$2 from fleetdeck-bank/$1" -m "$3" "$1"
  }
  sha() { git -C "$work" rev-parse HEAD; }

  commit 0 0 "Initial commit of $name" README.md
  local i
  for i in 0 1 2 3 4 5; do
    local s=${subjects[(seed * 3 + i) % ${#subjects[@]}]}
    commit $i 1 "$prefix-$ticket $s (#$pr)" "$file"
    pr=$((pr + 1)); ticket=$((ticket + 1))
  done
  local v1; v1=$(sha)
  # A feature branch merged as a pull request.
  git -C "$work" checkout --quiet -b "feature/$prefix-$ticket"
  commit 1 1 "$prefix-$ticket Add the new risk checks" "$file"
  commit 1 0 "$prefix-$ticket Cover the risk checks with tests" "test/${file##*/}.test"
  git -C "$work" checkout --quiet main
  commit 2 0 "Bump dependencies (#$pr)" package.json
  pr=$((pr + 1))
  merge "feature/$prefix-$ticket" "$pr" "$prefix-$ticket Risk checks"
  pr=$((pr + 1)); ticket=$((ticket + 1))
  local prod; prod=$(sha)
  # Staging is 3 to 5 commits ahead of production, depending on the service.
  for ((i = 0; i < 3 + seed % 3; i++)); do
    local s=${subjects[(seed * 5 + i + 7) % ${#subjects[@]}]}
    commit $((i + seed)) 2 "$prefix-$ticket $s (#$pr)" "$file"
    pr=$((pr + 1)); ticket=$((ticket + 1))
  done
  local staging; staging=$(sha)
  commit 0 1 "$prefix-$ticket Experiment with batching (#$pr)" "$file"
  commit 1 1 "WIP: tune batch sizes" "$file"
  local dev; dev=$(sha)

  git init --quiet --bare --initial-branch=main "$tmp/$name.git"
  git -C "$work" push --quiet "$tmp/$name.git" main

  local deployments=()
  record() { # env sha version days-ago who run
    local at; at=$(date -u -d "@$((now - $4 * day - seed * 600))" +%Y-%m-%dT%H:%M:%SZ)
    deployments+=("{\"entityRef\":\"component:default/$name\",\"environment\":\"$1\",\"commitSha\":\"$2\",\"version\":\"$3\",\"deployedAt\":\"$at\",\"deployedBy\":\"$5\",\"pipelineUrl\":\"https://ci.fleetdeck.example/$name/runs/$6\"}")
  }
  case $name in
    card-tokenizer) # fully promoted: production runs what staging runs
      record production "$v1" 2.7.0 9 release-bot 410
      record production "$staging" 2.8.0 1 release-bot 431
      record staging "$staging" 2.8.0 2 github-actions 430
      record dev "$staging" 2.8.0 3 github-actions 429 ;;
    credit-scoring) # experimental: never released to production
      record staging "$prod" 0.9.0 4 github-actions 77 ;;
    *)
      record production "$v1" 1.3.0 12 release-bot $((300 + seed))
      record production "$prod" 1.4.0 3 release-bot $((320 + seed))
      record staging "$prod" 1.4.0 4 github-actions $((318 + seed))
      record staging "$staging" 1.5.0-rc.1 1 github-actions $((330 + seed)) ;;
  esac
  if [ "$name" != card-tokenizer ]; then
    record dev "$staging" "1.5.0-dev.$seed" 1 github-actions $((340 + seed))
    record dev "$dev" "1.5.0-dev.$((seed + 1))" 0 github-actions $((341 + seed))
  fi
  (IFS=','; printf '{"deployments":[%s]}\n' "${deployments[*]}") >"$tmp/$name.json"

  # Move into place only when complete, so a failed run leaves nothing half-made.
  mv "$tmp/$name.json" "$out_dir/$name.json"
  mv "$tmp/$name.git" "$repo"
  rm -rf "$tmp"
}

seed=0
for s in "${services[@]}"; do
  IFS='|' read -r name prefix authors file <<<"$s"
  make_service "$name" "$prefix" "$authors" "$file" "$seed"
  seed=$((seed + 1))
done
