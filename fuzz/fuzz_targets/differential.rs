//! The reference model against another in-process runtime, chosen with
//! `MSICONF_FUZZ_RUNTIME=broken:<name>` (default `reference`: determinism).
#![no_main]

// The same allocator as the `msiconf` binary: plans are allocation-heavy.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    msiconf::fuzz::targets::differential(data, msiconf::fuzz::targets::differential_runtime());
});
