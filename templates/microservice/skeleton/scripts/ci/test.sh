#!/bin/sh
# Runs the service's tests (Node's built-in test runner; no dependencies).
set -eu
cd "$(dirname "$0")/../.."
node --version
npm test
