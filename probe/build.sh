#!/bin/sh
# Builds the msiconf probes with Debian's mingw-w64 cross compiler.
# Usage: probe/build.sh [OUTDIR]   (default: target/msiconf/probe)
# The harness runs the same commands itself when its copy is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../target/msiconf/probe"}
cc=${CC_MINGW:-x86_64-w64-mingw32-gcc}
flags="-O2 -Wall -Wextra -Wno-unused-function -s -static-libgcc"
mkdir -p "$out"
$cc $flags -shared -o "$out/probe.dll" "$here/probe.c" -lmsi -lws2_32
$cc $flags -municode -o "$out/host.exe" "$here/host.c" -lmsi -lws2_32
$cc $flags -o "$out/probeexe.exe" "$here/probeexe.c" -lws2_32
$cc $flags -o "$out/agent.exe" "$here/agent.c" -lmsi -lws2_32
echo "probes built in $out"
