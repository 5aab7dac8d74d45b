//! Any error response body, read by `ServiceError::from_body`. The check and its properties are
//! `dbss_fuzz_checks::error_body`, which the regression test runs too.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dbss_fuzz_checks::error_body::check(data));
