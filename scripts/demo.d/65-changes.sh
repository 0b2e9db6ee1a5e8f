#!/usr/bin/env bash
# Demo content for fleet-wide changes: container builds in the demo services'
# repositories (made by 60-deployments.sh) for code search to find. The
# payments services (payments-api, payments-ledger, sepa-gateway) still build
# on node:18, and so does fraud-detector's dashboard (another team: a search
# narrowed to payments must leave it out); card-tokenizer is already on
# node:20. Each gets one commit "Build the container image" on main with a
# Dockerfile and a package.json. Idempotent: a repository whose main already
# has a Dockerfile is left alone.
set -euo pipefail
git_dir="$FLEETDECK_DEMO_DIR/git"
now=$(date -u +%s)

# service | author (name:login) | node image | Dockerfile path | runtime
services=(
  "payments-api|Emma Dubois:emma.dubois|node:18-alpine|Dockerfile|node"
  "payments-ledger|Lea Fischer:lea.fischer|node:18-alpine|Dockerfile|java"
  "sepa-gateway|Noah Jansen:noah.jansen|node:18-alpine|Dockerfile|node"
  "card-tokenizer|Chloe Bernard:chloe.bernard|node:20-alpine|Dockerfile|node"
  "fraud-detector|Arjun Mehta:arjun.mehta|node:18-alpine|dashboard/Dockerfile|python"
)

dockerfile() { # image runtime
  case $2 in
    node)
      cat <<EOF
FROM $1 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM $1
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
USER node
CMD ["node", "dist/index.js"]
EOF
      ;;
    java) # the ledger's operations console is built with Node
      cat <<EOF
FROM $1 AS console
WORKDIR /console
COPY console/ ./
RUN npm ci && npm run build

FROM eclipse-temurin:21-jre
WORKDIR /app
COPY build/libs/ledger.jar ./
COPY --from=console /console/dist ./static
CMD ["java", "-jar", "ledger.jar"]
EOF
      ;;
    python) # the fraud analysts' dashboard
      cat <<EOF
FROM $1
WORKDIR /dashboard
COPY . .
RUN npm ci && npm run build
CMD ["npx", "serve", "dist"]
EOF
      ;;
  esac
}

package_json() { # name image
  local major=${2#node:}
  major=${major%%-*}
  cat <<EOF
{
  "name": "@fleetdeck-bank/$1",
  "private": true,
  "engines": { "node": ">=$major" },
  "scripts": { "build": "tsc", "start": "node dist/index.js" }
}
EOF
}

seed=0
for s in "${services[@]}"; do
  IFS='|' read -r name who image path runtime <<<"$s"
  seed=$((seed + 1))
  repo="$git_dir/$name.git"
  [ -d "$repo" ] || continue
  git --git-dir="$repo" cat-file -e "main:$path" 2>/dev/null && continue

  tmp=$(mktemp -d)
  git clone --quiet --branch main "$repo" "$tmp/work"
  mkdir -p "$tmp/work/$(dirname "$path")"
  dockerfile "$image" "$runtime" >"$tmp/work/$path"
  pkg=$(dirname "$path")
  [ "$runtime" = java ] && pkg=console
  mkdir -p "$tmp/work/$pkg"
  package_json "$name" "$image" >"$tmp/work/$pkg/package.json"
  git -C "$tmp/work" add --all
  author=${who%%:*} login=${who#*:}
  t=$((now - 2 * 3600 + seed * 60))
  GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$login@fleetdeck.example" \
    GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$login@fleetdeck.example" \
    GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000" \
    git -C "$tmp/work" commit --quiet -m "Build the container image on ${image%-alpine}"
  git -C "$tmp/work" push --quiet origin main
  rm -rf "$tmp"
done
