//! The simulator's handling of any request (routing, authentication, validation, the answer).
//! The check, its properties and its input layout are `dbss_fuzz_checks::sim_request`, which
//! the regression test runs too.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dbss_fuzz_checks::sim_request::check(data));
