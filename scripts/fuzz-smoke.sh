#!/usr/bin/env bash
# Builds every cargo-fuzz target and runs each for N seconds (default 60),
# then replays the committed crash inputs as ordinary tests.
#
#   scripts/fuzz-smoke.sh [SECONDS]
#   CANARIES="deferred-sees-all-properties type19-succeeds" scripts/fuzz-smoke.sh 30
#
# With CANARIES set, `differential` is also run against each of those broken
# runtimes and must crash (find it) within the time: the canary proves the
# target finds what it should, as libfuzzer-sys's own CI does.
#
# Runs on the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its
# nightly-only flags, and `-s none` skips the sanitizers stable cannot build.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz --locked" >&2; exit 2; }

cargo fuzz build -s none
status=0
for target in session_model session_model_seeded differential case_file; do
    echo "== $target: ${seconds} s"
    mkdir -p "corpus/$target"
    if ! cargo fuzz run -s none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -dict=dict/session.dict; then
        echo "== $target crashed: the input is under fuzz/artifacts/$target/;" \
             "copy it to fuzz/regressions/$target/ once understood" >&2
        status=1
    fi
done

for canary in ${CANARIES:-}; do
    echo "== differential against broken:$canary (must crash within ${seconds} s)"
    if MSICONF_FUZZ_RUNTIME="broken:$canary" cargo fuzz run -s none differential -- \
        -max_total_time="$seconds" -dict=dict/session.dict \
        -artifact_prefix="artifacts/canary-$canary-" >/dev/null 2>&1; then
        echo "== canary broken:$canary was NOT found" >&2
        status=1
    else
        echo "== canary broken:$canary found"
    fi
done

cd "$root"
cargo test -p msiconf --test fuzz_regressions
exit "$status"
