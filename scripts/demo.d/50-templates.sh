#!/usr/bin/env bash
# The demo's git server for the Microservice template: a directory of bare
# repositories that publish:git pushes new services to (fleetdeck.git.servers
# in app-config.yaml), and the central GitOps repository that
# fleetdeck:gitops:register proposes Argo CD Applications to.
set -euo pipefail
git_dir="$FLEETDECK_DEMO_DIR/git"
gitops="$git_dir/gitops.git"
mkdir -p "$git_dir"
[ -d "$gitops" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git init --quiet --bare --initial-branch=main "$tmp/gitops.git"
git init --quiet --initial-branch=main "$tmp/work"
mkdir -p "$tmp/work/apps" "$tmp/work/argocd"
cat >"$tmp/work/README.md" <<'MD'
# Fleetdeck Bank GitOps repository

Argo CD watches this repository.

- `argocd/<service>/<environment>.yaml`: one Argo CD Application per service and environment
- `apps/<service>/values-<environment>.yaml`: the Helm values of that environment (image tag, replicas)

New services arrive as a branch `fleetdeck/add-<service>` from the Microservice
template; their pipelines then update `image.tag` for dev on every build.
MD
touch "$tmp/work/apps/.gitkeep" "$tmp/work/argocd/.gitkeep"
git -C "$tmp/work" add --all
git -C "$tmp/work" -c user.name=Fleetdeck -c user.email=fleetdeck@fleetdeck.example \
  commit --quiet -m "Start the GitOps repository"
git -C "$tmp/work" push --quiet "$tmp/gitops.git" main
# Move it into place only when complete, so a failed run leaves nothing half-made.
mv "$tmp/gitops.git" "$gitops"
