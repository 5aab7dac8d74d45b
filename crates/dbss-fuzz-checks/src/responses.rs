//! Any response body, decoded as every JSON response type of the API (`dbss::types::*Response`,
//! listed in `response_types.rs` by `crates/dbss/fuzz/gen_response_types.sh` from the
//! operations' `Output`): decoding never panics, and a body that decodes can be written back as
//! JSON (as `dbss api` prints it) and read again.

macro_rules! decode_as_every_response {
    ($($name:ident),* $(,)?) => {
        /// Checks `data` as a body of every response type; panics when a property fails.
        pub fn check(data: &[u8]) {
            $(
                if let Ok(value) = serde_json::from_slice::<dbss::types::$name>(data) {
                    let written = serde_json::to_vec(&value)
                        .unwrap_or_else(|e| panic!("{}: decoded but cannot be written back: {e}", stringify!($name)));
                    if let Err(e) = serde_json::from_slice::<dbss::types::$name>(&written) {
                        panic!("{}: its own JSON does not decode: {e}", stringify!($name));
                    }
                }
            )*
        }
    };
}

include!("response_types.rs");
