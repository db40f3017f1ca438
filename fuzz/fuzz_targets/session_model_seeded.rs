//! The spec checking itself on deeper plans: a generated plan plus arbitrary
//! tweaks on the reference model never panics and never breaks a rule predicate.
#![no_main]

// The same allocator as the `msiconf` binary: plans are allocation-heavy.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    msiconf::fuzz::targets::session_model_seeded(data);
});
