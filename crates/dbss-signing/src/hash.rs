//! SHA-256 and HMAC-SHA256, the two primitives of `SDK-HMAC-SHA256`, from one of two places:
//!
//! * `rustcrypto` (default): the pure-Rust `sha2` and `hmac` crates, nothing else to build. The
//!   simulator uses them: it speaks plain HTTP and has no other crypto library.
//! * `aws-lc`: aws-lc-rs, the library rustls compiles for reqwest. A program that already
//!   links it for HTTPS (the `dbss` client) then builds no hash crate of its own.
//!
//! With both features on (a workspace build unifies them), aws-lc-rs is used. Both give the
//! same bytes: the tests below hold either to the published test vectors.

#[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
compile_error!("dbss-signing needs a hash implementation: feature `rustcrypto` (default) or `aws-lc`");

/// SHA-256 of `data`.
#[cfg(feature = "aws-lc")]
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use aws_lc_rs::digest;
    let mut out = [0; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

/// HMAC-SHA256 of `message` under `key`.
#[cfg(feature = "aws-lc")]
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use aws_lc_rs::hmac;
    let mut out = [0; 32];
    out.copy_from_slice(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message).as_ref());
    out
}

/// SHA-256 of `data`.
#[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// HMAC-SHA256 of `message` under `key`.
#[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_fips_180_vectors() {
        assert_eq!(
            hex::encode(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex::encode(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 2 (a short key) and test case 6 (a key longer than the block, hashed first).
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
