#!/bin/sh
# The one extra set-up step for `msiconf --runtime msiexec`: Wine (64-bit),
# the mingw-w64 cross compiler that builds the probes, and msitools.
# Debian/Ubuntu only; idempotent (installs nothing when everything is present).
# Run as root, or with sudo available.
set -eu

packages="wine wine64 gcc-mingw-w64-x86-64-win32 msitools"

have_all() {
    command -v wine >/dev/null 2>&1 &&
        command -v wineserver >/dev/null 2>&1 &&
        command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 &&
        command -v msiinfo >/dev/null 2>&1
}

if have_all; then
    echo "install-wine: wine, wineserver, x86_64-w64-mingw32-gcc and msitools are already installed"
    wine --version
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-wine: apt-get not found; install these Debian packages by other means: $packages" >&2
    exit 2
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-wine: run as root (or install sudo)" >&2
        exit 2
    fi
fi

# Without recommends: about 56 packages instead of 129 (no mesa, gstreamer or fonts, none needed headless).
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install --no-install-recommends -y $packages

if ! have_all; then
    echo "install-wine: installation finished but a tool is still missing" >&2
    exit 1
fi
wine --version
