//! Time to sign one request with `dbss::signing::sign`, on the inputs of `signing_inputs.json`:
//! the seed request (`UpdateAuditSecurityGroup`, as our client signs it) and a GET with 20 query
//! parameters. The official Python signer is timed on the very same file by
//! `tests/oracle/batch_sign.py --bench`; both figures are in BENCHMARKS.md, "## Signing".
//!
//! ```sh
//! cargo bench -p dbss --bench signing
//! ```
//!
//! What is timed is what the client does per attempt: reading the clock and `sign` (which adds
//! `X-Sdk-Date` and `Host`, trims values, builds the canonical request, hashes the body, the
//! canonical request and the HMAC). Cloning the input request, which `sign` completes in place,
//! is set-up and not timed.

use std::hint::black_box;

use chrono::Utc;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dbss::signing::{self, SignableRequest};
use serde::Deserialize;

/// One entry of `signing_inputs.json`.
#[derive(Deserialize)]
struct Input {
    name: String,
    request: Request,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    host: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body_text: String,
    ak: String,
    sk: String,
}

fn inputs() -> Vec<Input> {
    // A bench has no caller to hand an error to: a broken input file stops it with its reason.
    serde_json::from_str(include_str!("signing_inputs.json"))
        .unwrap_or_else(|e| panic!("benches/signing_inputs.json: {e}"))
}

fn signing(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    for input in inputs() {
        let r = input.request;
        let request = SignableRequest {
            method: r.method.into(),
            host: r.host.into(),
            path: r.path.into(),
            query: signing::pairs(r.query),
            headers: signing::pairs(r.headers),
            body: r.body_text.into_bytes().into(),
        };
        // Checked once, outside the timing: the input signs.
        if let Err(e) = signing::sign(&mut request.clone(), &r.ak, &r.sk, Utc::now()) {
            panic!("{}: {e}", input.name);
        }
        group.bench_function(&input.name, |b| {
            b.iter_batched(
                || request.clone(),
                |mut request| {
                    let signature =
                        signing::sign(black_box(&mut request), black_box(&r.ak), black_box(&r.sk), Utc::now());
                    black_box((signature, request))
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
