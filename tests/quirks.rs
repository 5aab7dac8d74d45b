//! Every shape of quirks.md that a generator or a naive client trips on, each with a test
//! through real HTTP (httpmock).

use dbss::{Operation, types};
use dbss_tests::{PROJECT, client};
use futures::StreamExt;
use httpmock::{Method, MockServer};
use serde_json::json;

const INSTANCE: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
/// A backup or report id (the API documents 16 to 64 characters).
const ITEM: &str = "b80bb774-0288-fda1-f201-890375a60c8f";

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("test body does not fit its type: {e}"))
}

#[tokio::test]
async fn delete_with_a_json_body_sends_the_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::DELETE)
                .path(format!("/v1/{PROJECT}/dbss/audit/instances"))
                .header("content-type", "application/json;charset=UTF-8")
                .json_body(json!({"id": INSTANCE, "delete_publicip": true}));
            then.status(200).json_body(json!({"result": "success"}));
        })
        .await;
    let client = client(&server.base_url());
    #[allow(deprecated)]
    let call = client
        .ops()
        .delete_instances()
        .body(body::<types::DeleteInstanceDemandRequest>(
            json!({"id": INSTANCE, "delete_publicip": true}),
        ));
    let outcome = call.call().await;
    mock.assert_async().await;
    assert_eq!(outcome.ok().and_then(|o| o.result), Some("success".into()));
}

#[tokio::test]
async fn post_without_a_body_sends_an_empty_signed_body_with_the_json_content_type() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/{PROJECT}/audit/{INSTANCE}/backup/{ITEM}/restore"))
                .header("content-type", "application/json")
                .header_exists("authorization")
                .body("");
            then.status(200).json_body(json!({"status": "SUCCESS"}));
        })
        .await;
    let outcome = client(&server.base_url())
        .ops()
        .restore_audit_backup()
        .instance_id(INSTANCE)
        .id(ITEM)
        .call()
        .await;
    mock.assert_async().await;
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[tokio::test]
async fn ids_outside_their_documented_lengths_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let client = client(&server.base_url());
    let outcome = client
        .ops()
        .restore_audit_backup()
        .instance_id(INSTANCE)
        .id("short")
        .call()
        .await;
    let Err(dbss::Error::InvalidRequest { reason, .. }) = outcome else {
        panic!("expected a refusal, got {outcome:?}")
    };
    assert!(reason.contains("id"), "{reason}");
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn binary_downloads_are_streamed_in_chunks_not_buffered_whole() {
    const SIZE: usize = 4 * 1024 * 1024;
    let file: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path(format!("/v1/{PROJECT}/audit/{INSTANCE}/reports/{ITEM}/download"))
                .query_param("local", "en-us");
            then.status(200)
                .header("content-type", "application/octet-stream")
                .body(file.clone());
        })
        .await;
    let stream = client(&server.base_url())
        .ops()
        .download_audit_report()
        .instance_id(INSTANCE)
        .id(ITEM)
        .local("en-us")
        .call()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stream = stream.into_inner();
    let (mut total, mut chunks, mut largest, mut digest) = (0usize, 0usize, 0usize, 0u64);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap_or_else(|e| panic!("{e}"));
        total += chunk.len();
        chunks += 1;
        largest = largest.max(chunk.len());
        digest = chunk
            .iter()
            .fold(digest, |d, b| d.wrapping_mul(31).wrapping_add(u64::from(*b)));
    }
    let expected = file
        .iter()
        .fold(0u64, |d, b| d.wrapping_mul(31).wrapping_add(u64::from(*b)));
    assert_eq!((total, digest), (SIZE, expected));
    assert!(
        chunks > 1 && largest < SIZE,
        "{chunks} chunk(s), largest {largest} bytes: the body was buffered whole"
    );
}

#[tokio::test]
async fn top_level_array_responses_decode() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/{PROJECT}/audit/{INSTANCE}/statistics/session/db-account"));
            then.status(200)
                .json_body(json!([{"db_user": "app", "session_num": 5_000_000_000i64}, {"db_user": "etl"}]));
        })
        .await;
    let client = client(&server.base_url());
    let call = client
        .ops()
        .count_db_account_session()
        .instance_id(INSTANCE)
        .body(body::<types::SqlSessionStatisticsRequest>(
            json!({"time": {"time_range": "DAY"}}),
        ));
    let sessions = call.call().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sessions.0.len(), 2);
    assert_eq!(sessions.0[0].session_num, Some(5_000_000_000), "int64 counts survive");
}

#[tokio::test]
async fn empty_responses_succeed_whatever_the_body() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/{PROJECT}/audit/summary/audit/task-status"));
            then.status(200);
        })
        .await;
    let client = client(&server.base_url());
    let call =
        client
            .ops()
            .update_audit_task_status()
            .busi_type("audit")
            .body(body::<types::AuditSummaryStatusRequest>(
                json!({"oper_type": "execute"}),
            ));
    assert!(call.call().await.is_ok());
}

#[tokio::test]
async fn documented_204_successes_and_a_200_with_text_are_both_success() {
    for (status, text) in [(204, ""), (200, "no content"), (202, "")] {
        let server = MockServer::start_async().await;
        let path = format!("/v1/{PROJECT}/auditInstance/{INSTANCE}/tags/delete");
        server
            .mock_async(|when, then| {
                when.method(Method::DELETE)
                    .path(path.as_str())
                    .json_body(json!({"tags": [{"key": "env"}]}));
                then.status(status).body(text);
            })
            .await;
        let client = client(&server.base_url());
        let call = client
            .ops()
            .batch_delete_resource_tag()
            .resource_type("auditInstance")
            .resource_id(INSTANCE)
            .body(body::<types::ResourceTagDeleteRequest>(
                json!({"tags": [{"key": "env"}]}),
            ));
        let outcome = call.call_with_metadata().await;
        assert_eq!(
            outcome.as_ref().map(|r| r.status).ok(),
            Some(204),
            "HTTP {status}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn numbers_carried_as_strings_and_the_same_name_with_two_types() {
    let server = MockServer::start_async().await;
    // Set: thresholds are integers on the wire.
    let set = server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/{PROJECT}/{INSTANCE}/audit/alarm/topic"))
                .json_body(json!({"alarm_cpu": 80, "alarm_disk": 85, "alarm_memory": 90, "alarm_num": 3, "alarm_switch": "ON"}));
            then.status(200).json_body(json!({"status": "success"}));
        })
        .await;
    // Get: the same four names come back as strings.
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path(format!("/v1/{PROJECT}/{INSTANCE}/audit/alarm/topic"));
            then.status(200).json_body(json!({"alarm_cpu": "80", "alarm_disk": "85", "alarm_memory": "90", "alarm_num": "3", "alarm_switch": "ON"}));
        })
        .await;
    let client = client(&server.base_url());
    #[allow(deprecated)]
    let call = client
        .ops()
        .set_alarm_topic_config_info()
        .instance_id(INSTANCE)
        .body(body::<types::ConfigAlarmTopicRequest>(
            json!({"alarm_cpu": 80, "alarm_disk": 85, "alarm_memory": 90, "alarm_num": 3, "alarm_switch": "ON"}),
        ));
    assert!(call.call().await.is_ok());
    set.assert_async().await;
    #[allow(deprecated)]
    let read = client
        .ops()
        .list_alarm_topic_config_info()
        .instance_id(INSTANCE)
        .call()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.alarm_cpu.as_deref(), Some("80"));

    // Paging fields typed as strings in a body (OperateLogGetRequest) go out as strings.
    let logs = server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/{PROJECT}/{INSTANCE}/dbss/audit/operate-log"))
                .json_body(json!({"time": {"time_range": "DAY"}, "page": "1", "size": "50"}));
            then.status(200).json_body(json!({"total": 0, "operate_log_list": []}));
        })
        .await;
    #[allow(deprecated)]
    let call = client
        .ops()
        .list_audit_operate_logs()
        .instance_id(INSTANCE)
        .body(body::<types::OperateLogGetRequest>(
            json!({"time": {"time_range": "DAY"}, "page": "1", "size": "50"}),
        ));
    assert!(call.call().await.is_ok());
    logs.assert_async().await;
}

#[tokio::test]
async fn domain_id_paths_and_paths_without_a_project() {
    let server = MockServer::start_async().await;
    let backup = server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/account-0001/audit/{INSTANCE}/backup/switch"));
            then.status(200).json_body(json!({"status": "SUCCESS"}));
        })
        .await;
    let inventory = server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/v1/resource-manager/domains/account-0001/all-resources/cn-north-4/dbEncrypt")
                .query_param("limit", "20");
            then.status(200)
                .json_body(json!({"resources": [], "page_info": {"current_count": 0}}));
        })
        .await;
    let client = client(&server.base_url());
    let call = client.ops().set_audit_backup_switch().domain_id("account-0001").instance_id(INSTANCE).body(
        body::<types::BackupSwitchRequest>(json!({"bucket_name": "b", "cycle": "PER_DAY", "mode": "AUTO", "status": 1, "trigger_time": "2025-06-01 00:00:00"})),
    );
    assert!(call.call().await.is_ok());
    let listed = client
        .ops()
        .list_domain_all_resource()
        .domain_id("account-0001")
        .region_id("cn-north-4")
        .resource_type("dbEncrypt")
        .limit(20)
        .call()
        .await;
    assert!(listed.is_ok(), "{listed:?}");
    backup.assert_async().await;
    inventory.assert_async().await;
}
