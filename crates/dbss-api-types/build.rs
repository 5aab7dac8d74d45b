//! Generates the DBSS API's types at build time with the `codegen` feature, as `dbss-api`'s
//! build script does for the client (see there): both run the one generator of
//! `crates/dbss-api/codegen.rs` on the same spec and keep their half. Without the feature the
//! crate includes the committed copy, `src/generated/types.rs`.

fn main() {
    #[cfg(feature = "codegen")]
    write_at_build_time(
        "../dbss-api/spec/dbss.progenitor.yaml",
        "../dbss-api",
        "types.rs",
        |generated| generated.types,
    );
}

#[cfg(feature = "codegen")]
include!("../dbss-api/codegen.rs");
