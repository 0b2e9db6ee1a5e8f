#!/bin/sh
# Points an environment of the GitOps repository at a new image tag:
#   scripts/ci/update-gitops.sh <environment> <image tag>
# Argo CD then rolls it out. Retries when someone else pushed in between.
#   GITOPS_REPO_URL  the GitOps repository   default ${{ values.gitopsRepoUrl }}
#   GITOPS_BRANCH    its branch              default main
#   GITOPS_TOKEN     HTTPS token (optional; sent as a header, never in the URL)
set -eu
env="${1:?usage: update-gitops.sh <environment> <image tag>}"
tag="${2:?usage: update-gitops.sh <environment> <image tag>}"
case "$env" in dev|staging|production) ;; *) echo "unknown environment: $env" >&2; exit 2 ;; esac
case "$tag" in *[!A-Za-z0-9._-]*|'') echo "invalid image tag: $tag" >&2; exit 2 ;; esac
repo="${GITOPS_REPO_URL:-${{ values.gitopsRepoUrl }}}"
branch="${GITOPS_BRANCH:-main}"
file="apps/${{ values.name }}/values-$env.yaml"

if [ -n "${GITOPS_TOKEN:-}" ]; then
  GIT_CONFIG_COUNT=1
  GIT_CONFIG_KEY_0=http.extraHeader
  GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$GITOPS_TOKEN" | base64 | tr -d '\n')"
  export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0
fi
export GIT_TERMINAL_PROMPT=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for attempt in 1 2 3; do
  rm -rf "$work/repo"
  git clone --quiet --depth 1 --branch "$branch" "$repo" "$work/repo"
  if [ ! -f "$work/repo/$file" ]; then
    echo "$file is not in the GitOps repository: merge the branch that registers ${{ values.name }} first" >&2
    exit 1
  fi
  sed -i.bak -E "s/^(  tag:).*/\1 \"$tag\"/" "$work/repo/$file" && rm -f "$work/repo/$file.bak"
  cd "$work/repo"
  git -c user.name="${GIT_AUTHOR_NAME:-ci}" -c user.email="${GIT_AUTHOR_EMAIL:-ci@fleetdeck.example}" \
    commit --quiet --allow-empty -am "Deploy ${{ values.name }} $tag to $env"
  if git push --quiet origin "HEAD:$branch"; then
    echo "$env now runs ${{ values.name }}:$tag"
    exit 0
  fi
  cd - >/dev/null
  echo "the GitOps repository moved; retrying ($attempt/3)" >&2
  sleep "$attempt"
done
echo "could not update $file after 3 attempts" >&2
exit 1
