//! The signer on any request (canonicalisation, `sign`, `verify`). The check and its properties
//! are `dbss_fuzz_checks::signer`, which the regression test runs too.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dbss_fuzz_checks::signer::check(data));
