//! Arbitrary bytes into the case-file loader: it never panics, and every
//! error names a line and column.
#![no_main]

// The same allocator as the `msiconf` binary: plans are allocation-heavy.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    msiconf::fuzz::targets::case_file(data);
});
