//! Credentials resolved like the official SDKs (explicit → environment → profile file),
//! IAM password tokens with refresh, and project-id lookup, through real HTTP.

use std::{collections::HashMap, path::PathBuf};

use dbss::{Client, Credentials, Error};
use httpmock::{Method, MockServer};
use serde_json::json;

const PROJECT: &str = "0123456789abcdef0123456789abcdef";

fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn profile(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dbss-cred-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("credentials");
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    file
}

/// Which access key signed the request the server received.
async fn signer_of(builder: dbss::ClientBuilder) -> String {
    let server = MockServer::start_async().await;
    for ak in ["AKEXPLICIT", "AKENV", "AKPROFILE"] {
        server
            .mock_async(|when, then| {
                when.method(Method::GET)
                    .header_matches("authorization", format!("Access={ak},"));
                then.status(200)
                    .header("x-request-id", ak)
                    .json_body(json!({"total": 0, "servers": []}));
            })
            .await;
    }
    let client = builder
        .endpoint(server.base_url())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    #[allow(deprecated)]
    let response = dbss::Operation::call_with_metadata(client.ops().list_audit_instances()).await;
    response
        .unwrap_or_else(|e| panic!("{e}"))
        .request_id
        .unwrap_or_default()
}

#[tokio::test]
async fn the_chain_is_explicit_then_environment_then_profile() {
    let file = profile(
        "chain",
        "[basic]\nak = AKPROFILE\nsk = sk-profile\nproject_id = 0123456789abcdef0123456789abcdef\n",
    );
    let env = env_of(&[
        ("HUAWEICLOUD_SDK_AK", "AKENV"),
        ("HUAWEICLOUD_SDK_SK", "sk-env"),
        ("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file.display().to_string()),
    ]);
    let explicit = Client::builder()
        .environment(env.clone())
        .credentials(Credentials::ak_sk("AKEXPLICIT", "sk"));
    assert_eq!(signer_of(explicit).await, "AKEXPLICIT");
    assert_eq!(
        signer_of(Client::builder().environment(env.clone())).await,
        "AKENV",
        "environment before profile; project from the profile"
    );
    let only_profile = env_of(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file.display().to_string())]);
    assert_eq!(
        signer_of(Client::builder().environment(only_profile)).await,
        "AKPROFILE"
    );
}

#[tokio::test]
async fn no_credentials_anywhere_names_every_place_looked() {
    let missing = std::env::temp_dir().join("dbss-no-such-dir/credentials");
    let env = env_of(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &missing.display().to_string())]);
    let error = Client::builder()
        .endpoint("http://127.0.0.1:9")
        .project_id(PROJECT)
        .environment(env)
        .build()
        .err();
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    for place in [
        "explicit configuration",
        "HUAWEICLOUD_SDK_AK",
        "dbss-no-such-dir/credentials (not found)",
    ] {
        assert!(text.contains(place), "{text}");
    }
}

#[tokio::test]
async fn a_password_is_exchanged_for_a_token_once_and_again_before_it_expires() {
    for (expires_at, exchanges) in [("2099-01-01T00:00:00.000000Z", 1), ("2000-01-01T00:00:00.000000Z", 2)] {
        let server = MockServer::start_async().await;
        let iam = server
            .mock_async(|when, then| {
                when.method(Method::POST).path("/v3/auth/tokens").json_body(json!({"auth": {
                    "identity": {"methods": ["password"], "password": {"user": {"name": "bot", "password": "pw-secret", "domain": {"name": "acme"}}}},
                    "scope": {"project": {"id": PROJECT}}}}));
                then.status(201).header("x-subject-token", "issued-token").json_body(json!({"token": {"expires_at": expires_at}}));
            })
            .await;
        let dbss = server
            .mock_async(|when, then| {
                when.method(Method::GET)
                    .path(format!("/v1/{PROJECT}/dbss/audit/instances"))
                    .header("x-auth-token", "issued-token")
                    .header_missing("authorization");
                then.status(200).json_body(json!({"total": 0, "servers": []}));
            })
            .await;
        let client = password_client(&server);
        for _ in 0..2 {
            dbss_tests::v1_instances(&client, 0, 10)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(dbss.calls_async().await, 2);
        assert_eq!(iam.calls_async().await, exchanges, "token valid until {expires_at}");
    }
}

#[tokio::test]
async fn an_iam_refusal_is_a_credentials_error_without_the_password() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::POST).path("/v3/auth/tokens");
            then.status(401).json_body(json!({"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}));
        })
        .await;
    let client = password_client(&server);
    let error = dbss_tests::v1_instances(&client, 0, 10).await.err();
    let text = format!(
        "{error:?} {}",
        error.as_ref().map(ToString::to_string).unwrap_or_default()
    );
    assert!(matches!(error, Some(Error::Credentials(_))), "{text}");
    assert!(text.contains("401") && !text.contains("pw-secret"), "{text}");
}

#[tokio::test]
async fn the_project_id_is_looked_up_from_the_region_once() {
    let server = MockServer::start_async().await;
    let lookup = server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/v3/projects")
                .query_param("name", "la-south-2")
                .header_matches("authorization", "^SDK-HMAC-SHA256 Access=AKLOOKUP,");
            then.status(200)
                .json_body(json!({"projects": [{"id": "feedfacefeedfacefeedfacefeedface", "name": "la-south-2"}]}));
        })
        .await;
    let builder = || {
        Client::builder()
            .environment([])
            .region("la-south-2")
            .iam_endpoint(server.base_url())
            .credentials(Credentials::ak_sk("AKLOOKUP", "sk"))
    };
    let client = builder().build_async().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.project_id(), "feedfacefeedfacefeedfacefeedface");
    let again = builder().build_async().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.project_id(), client.project_id());
    assert_eq!(lookup.calls_async().await, 1, "cached per access key and region");
    assert!(matches!(builder().build(), Err(Error::Config(m)) if m.contains("build_async")));
}

#[tokio::test]
async fn several_projects_of_one_name_are_an_error_listing_them() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/v3/projects");
            then.status(200)
                .json_body(json!({"projects": [{"id": "aaa"}, {"id": "bbb"}]}));
        })
        .await;
    let error = Client::builder()
        .environment([])
        .region("tr-west-1")
        .iam_endpoint(server.base_url())
        .credentials(Credentials::ak_sk("AKTWO", "sk"))
        .build_async()
        .await
        .err();
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("aaa") && text.contains("bbb"), "{text}");
}

#[tokio::test]
async fn a_password_without_project_scopes_its_token_by_region_and_learns_the_project() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::POST).path("/v3/auth/tokens").json_body_includes(r#"{"auth":{"scope":{"project":{"name":"me-east-1"}}}}"#);
            then.status(201)
                .header("x-subject-token", "scoped")
                .json_body(json!({"token": {"expires_at": "2099-01-01T00:00:00Z", "project": {"id": "abcabcabcabcabcabcabcabcabcabcab", "name": "me-east-1"}}}));
        })
        .await;
    let client = Client::builder()
        .environment([])
        .region("me-east-1")
        .iam_endpoint(server.base_url())
        .credentials(Credentials::password("bot", "pw", "acme"))
        .build_async()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.project_id(), "abcabcabcabcabcabcabcabcabcabcab");
}

/// A client with password credentials (`bot` / `pw-secret` in domain `acme`) whose IAM and DBSS
/// endpoints are both `server`, and no environment.
fn password_client(server: &MockServer) -> Client {
    Client::builder()
        .environment([])
        .endpoint(server.base_url())
        .project_id(PROJECT)
        .credentials(Credentials::password("bot", "pw-secret", "acme"))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A call to a simulator (which verifies every signature) by a client configured from `env`.
async fn call_with_environment(sim: &dbss_sim::Simulator, env: HashMap<String, String>) -> Result<(), Error> {
    let client = Client::builder().endpoint(sim.url()).environment(env).build()?;
    dbss_tests::v1_instances(&client, 0, 10).await.map(drop)
}

#[tokio::test]
async fn keys_with_surrounding_whitespace_in_the_environment_are_trimmed() {
    let sim = dbss_sim::Simulator::builder()
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A pasted newline, a stray space or tab: the keys are still the keys.
    let (ak, sk, project) = (
        format!(" {}\n", sim.ak()),
        format!("{}\t \n", sim.sk()),
        format!("{} ", sim.project_id()),
    );
    let env = env_of(&[
        ("HUAWEICLOUD_SDK_AK", &ak),
        ("HUAWEICLOUD_SDK_SK", &sk),
        ("HUAWEICLOUD_SDK_PROJECT_ID", &project),
        ("HUAWEICLOUD_SDK_CREDENTIALS_FILE", "/nonexistent/credentials"),
    ]);
    let outcome = call_with_environment(&sim, env).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    // A key of nothing but whitespace is missing, and the error names its variable.
    let blank = env_of(&[
        ("HUAWEICLOUD_SDK_AK", sim.ak()),
        ("HUAWEICLOUD_SDK_SK", " \n"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id()),
    ]);
    let error = call_with_environment(&sim, blank).await.err().map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("invalid configuration: HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK holds only whitespace")
    );
}

#[tokio::test]
async fn keys_with_surrounding_whitespace_in_the_profile_file_are_trimmed() {
    let sim = dbss_sim::Simulator::builder()
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // CRLF line ends, as a file saved on Windows has them, and spaces around the values.
    let text = format!(
        "[basic]\r\nak =  {} \r\nsk = {}\t\r\nproject_id = {} \r\n",
        sim.ak(),
        sim.sk(),
        sim.project_id()
    );
    let file = profile("whitespace", &text);
    let env = env_of(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file.display().to_string())]);
    let outcome = call_with_environment(&sim, env).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let _ = std::fs::remove_dir_all(file.parent().unwrap_or(&file));
}

#[tokio::test]
async fn an_endpoint_with_credentials_in_it_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"total": 0, "servers": []}));
        })
        .await;
    let with_userinfo = server.base_url().replacen("http://", "http://user:hunter2@", 1);
    let regions = std::env::temp_dir().join(format!("dbss-regions-userinfo-{}.yaml", std::process::id()));
    std::fs::write(
        &regions,
        "dbss:\n  - id: xx-test-1\n    endpoint: https://u:hunter2@dbss.example\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let builders = [
        Client::builder().endpoint(&with_userinfo),
        Client::builder()
            .endpoint(server.base_url())
            .iam_endpoint(&with_userinfo),
        Client::builder().region("xx-test-1").environment(env_of(&[(
            "HUAWEICLOUD_SDK_REGIONS_FILE",
            &regions.display().to_string(),
        )])),
    ];
    for builder in builders {
        let built = builder
            .project_id(PROJECT)
            .credentials(Credentials::ak_sk("AK", "SK"))
            .build();
        match built {
            Err(Error::Config(message)) => {
                assert!(message.contains("user name or password"), "{message}");
                assert!(!message.contains("hunter2"), "the password is never shown: {message}");
            }
            other => panic!(
                "expected a configuration error, got {:?}",
                other.map(|c| c.endpoint().to_owned())
            ),
        }
    }
    let _ = std::fs::remove_file(&regions);
    assert_eq!(anything.calls_async().await, 0, "nothing was sent");
}
