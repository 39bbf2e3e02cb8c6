#!/usr/bin/env bash
# Runs every test of homeamp: unit tests, the CLI tests against the real binary,
# and the store/bus tests against real MariaDB and Redis processes that the tests
# start themselves on free loopback ports (so they need the server binaries only,
# not running services).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-test-deps.sh

cargo test --workspace --all-targets --locked "$@"
