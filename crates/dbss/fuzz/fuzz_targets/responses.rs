//! Any response body, decoded as every JSON response type of the API. The check and its
//! properties are `dbss_fuzz_checks::responses`, which the regression test runs too.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dbss_fuzz_checks::responses::check(data));
