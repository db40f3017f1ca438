//! The spec checking itself: plans on the reference model never panic and
//! never break a rule predicate.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    msiconf::fuzz::targets::session_model(data);
});
