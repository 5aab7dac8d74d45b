//! The simulator without a socket answers as the server does: a refusal, a signed call, a token
//! call, an unknown path, and a reset fault, all handed over in memory.

use axum::http::Request;
use chrono::Utc;
use dbss_signing::{self as signing, SignableRequest};
use dbss_sim::{Fault, InMemory, Simulator, defaults};
use serde_json::Value;

fn instances() -> String {
    format!("/v2/{}/audit/instances", defaults::PROJECT_ID)
}

fn in_memory(builder: dbss_sim::SimulatorBuilder) -> InMemory {
    builder.in_memory().unwrap_or_else(|e| panic!("{e}"))
}

fn get(path: &str, headers: &[(String, String)]) -> Request<Vec<u8>> {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.body(Vec::new()).unwrap_or_else(|e| panic!("{e}"))
}

/// `(status, body as JSON)` of the answer, which must carry a request id.
async fn answer(sim: &InMemory, request: Request<Vec<u8>>) -> (u16, Value) {
    let response = sim.answer(request).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(response.headers().contains_key("x-request-id"));
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), body)
}

#[tokio::test]
async fn requests_in_memory_go_through_the_whole_pipeline() {
    let sim = in_memory(Simulator::builder().token("fixed-token"));

    let (status, refusal) = answer(&sim, get(&instances(), &[])).await;
    assert_eq!((status, refusal["error_code"].as_str()), (401, Some("APIGW.0101")));

    let token = [("X-Auth-Token".to_owned(), "fixed-token".to_owned())];
    let (status, page) = answer(&sim, get(&instances(), &token)).await;
    assert_eq!((status, page["total"].as_u64()), (200, Some(3)));

    let mut signable = SignableRequest {
        method: "GET".into(),
        host: "dbss.test".into(),
        path: instances().into(),
        ..SignableRequest::default()
    };
    let signature =
        signing::sign(&mut signable, defaults::AK, defaults::SK, Utc::now()).unwrap_or_else(|e| panic!("{e}"));
    signable
        .headers
        .push(("Authorization".into(), signature.authorization.into()));
    let headers: Vec<(String, String)> = signable
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let (status, page) = answer(&sim, get(&instances(), &headers)).await;
    assert_eq!((status, page["total"].as_u64()), (200, Some(3)));

    let (status, refusal) = answer(&sim, get("/v2/nowhere", &token)).await;
    assert_eq!(
        (status, refusal["error"]["error_code"].as_str()),
        (404, Some("DBSS.10021004"))
    );
}

#[tokio::test]
async fn a_reset_fault_is_an_answer_never_sent() {
    let sim = in_memory(Simulator::builder().fault(Fault::reset_before("*")));
    assert!(sim.answer(get(&instances(), &[])).await.is_err());
}
