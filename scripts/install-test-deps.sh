#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust: Debian's Chromium, which the
# HTML report test drives headless. Idempotent; needs root (or sudo) to install.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-test-deps: chromium is missing and this user cannot install packages;" >&2
    echo "install Debian's 'chromium' package, then run the tests again" >&2
    exit 2
fi

"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
