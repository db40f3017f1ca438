//! The spec checking itself: plans decoded straight from the input bytes run on
//! the reference model, which never panics and never breaks a rule predicate.
#![no_main]

// The same allocator as the `msiconf` binary: plans are allocation-heavy.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    msiconf::fuzz::targets::session_model(data);
});
