#!/usr/bin/env bash
# The test command from the README: installs the test dependencies if they are
# missing, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
cargo test --workspace "$@"
