#!/bin/sh
# Builds the container image and pushes it, tagged with the commit SHA.
#   IMAGE_TAG       the tag (the commit SHA)       required
#   IMAGE_REGISTRY  registry and path prefix       default registry.fleetdeck.example
#   PUSH_IMAGE      false to build only            default true
set -eu
cd "$(dirname "$0")/../.."
image="${IMAGE_REGISTRY:-registry.fleetdeck.example}/${{ values.name }}:${IMAGE_TAG:?set IMAGE_TAG to the commit SHA}"
docker build --pull --tag "$image" .
if [ "${PUSH_IMAGE:-true}" = true ]; then
  docker push "$image"
fi
echo "built $image"
