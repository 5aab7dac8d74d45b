//! Whatever arrives, the simulator answers with a 2xx or a 4xx naming the problem: never a
//! 500, never a dropped connection. Every operation gets its example with each body field
//! replaced by wrong values, broken bodies, and odd path and query values.

mod support;

use dbss_sim::{
    Simulator,
    spec::{Operation, Spec},
};
use serde_json::{Value, json};
use support::{Request, first_instance};

fn wrong_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(1.5),
        json!(-1),
        json!(""),
        json!([]),
        json!({}),
        json!("x".repeat(300)),
        json!(1e300),
        json!(u64::MAX),
        json!(true),
        json!([{"nested": [null]}]),
    ]
}

fn request<'a>(op: &'a Operation, instance: &str, odd: Option<&str>, body: Option<String>) -> Request<'a> {
    let request = Request::from_examples(op, |name, example| match (name, odd) {
        ("project_id", _) => dbss_sim::defaults::PROJECT_ID.to_owned(),
        (_, Some(odd)) => odd.to_owned(),
        ("instance_id", None) => instance.to_owned(),
        _ => example,
    });
    Request { body, ..request }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_gets_a_server_error_or_a_dropped_connection() {
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::builder()
        .audit_rows(200)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let instance = first_instance(&sim);
    let http = reqwest::Client::new();
    let mut sent = 0;
    let mut failures = Vec::new();
    let long = "9".repeat(70);
    for op in spec.operations() {
        let mut attempts: Vec<(Option<&str>, Option<String>)> = Vec::new();
        for broken in [
            "",
            "null",
            "[]",
            "{}",
            "\"text\"",
            "{\"a\":",
            "\u{feff}{}",
            "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
        ] {
            attempts.push((None, Some(broken.to_owned())));
        }
        for odd in ["%00", "%F0%28%8C%28", "..", "a%2Fb", &long, "-1", "1e9", " "] {
            attempts.push((Some(odd), None));
        }
        if let Some(Value::Object(example)) = op.body.as_ref().and_then(|b| b.example.clone()) {
            for name in example.keys() {
                for wrong in wrong_values() {
                    let mut body = example.clone();
                    body.insert(name.clone(), wrong);
                    attempts.push((None, Some(Value::Object(body).to_string())));
                }
            }
        }
        for (odd, body) in attempts {
            let label = format!(
                "{} odd={odd:?} body={:?}",
                op.id,
                body.as_deref().map(|b| b.chars().take(80).collect::<String>())
            );
            let answer = support::try_send_with(&http, &sim, request(op, &instance, odd, body)).await;
            sent += 1;
            match answer {
                Ok(answer) if answer.status < 500 => {
                    if answer.status >= 400 && answer.json()["error"]["error_msg"].as_str().is_none_or(str::is_empty) {
                        failures.push(format!(
                            "{label}: {} without a message: {}",
                            answer.status,
                            answer.text()
                        ));
                    }
                }
                Ok(answer) => failures.push(format!("{label}: {} {}", answer.status, answer.text())),
                Err(error) => failures.push(format!("{label}: no answer: {error}")),
            }
        }
    }
    eprintln!("{sent} requests, none refused with a 5xx or dropped");
    assert!(sent > 3000, "{sent}");
    assert!(
        failures.is_empty(),
        "{} of {sent}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
