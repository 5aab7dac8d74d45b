//! Generic paging of list operations (`x-paging` in the spec): offset/limit in the query and
//! page/size in the body, lazily, stopping at the total.

use dbss::{paging::Paged, types};
use dbss_tests::{PROJECT, client};
use futures::{StreamExt, TryStreamExt};
use httpmock::{Method, MockServer};
use serde_json::json;

const INSTANCE: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";

#[tokio::test]
async fn offset_limit_operations_page_through_the_query_until_the_total() {
    let server = MockServer::start_async().await;
    let path = format!("/v2/{PROJECT}/audit/{INSTANCE}/databases");
    let mut mocks = Vec::new();
    for (offset, count) in [(0, 3), (3, 3), (6, 1)] {
        let databases: Vec<_> = (0..count)
            .map(|i| json!({"database": {"id": format!("db{}", offset + i)}}))
            .collect();
        let path = path.clone();
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(Method::GET)
                        .path(path)
                        .query_param("offset", offset.to_string())
                        .query_param("limit", "3");
                    then.status(200).json_body(json!({"total": 7, "databases": databases}));
                })
                .await,
        );
    }
    let client = client(&server.base_url());
    let all: Vec<_> = client
        .ops()
        .list_audit_databases_new()
        .instance_id(INSTANCE)
        .items(3)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 7);
    for mock in &mocks {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn page_size_operations_count_pages_in_the_body_and_fetch_lazily() {
    let server = MockServer::start_async().await;
    let path = format!("/v2/{PROJECT}/audit/{INSTANCE}/sqls");
    let mut mocks = Vec::new();
    for page in 1..=3 {
        let sqls: Vec<_> = (0..if page < 3 { 2 } else { 1 })
            .map(|i| json!({"sql": {"sql_statement": format!("select {page}{i}")}}))
            .collect();
        let path = path.clone();
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(Method::POST)
                        .path(path)
                        .json_body_includes(json!({"page": page, "size": 2}).to_string());
                    then.status(200)
                        .json_body(json!({"total": 5, "count": 2, "sqls": sqls}));
                })
                .await,
        );
    }
    let client = client(&server.base_url());
    let body: types::AuditSqlRequest =
        serde_json::from_value(json!({"time": {"time_range": "DAY"}, "page": 1, "size": 2, "time_order": "DESC"}))
            .unwrap_or_else(|e| panic!("{e}"));
    let request = client.ops().list_audit_sqls_new().instance_id(INSTANCE).body(body);

    // Taking the first item fetches only the first page.
    let first = Box::pin(request.clone().items(2)).next().await;
    assert!(matches!(first, Some(Ok(_))), "{first:?}");
    assert_eq!(
        (mocks[0].calls_async().await, mocks[1].calls_async().await),
        (1, 0),
        "lazy: one page fetched"
    );

    let pages: Vec<_> = request.pages(2).try_collect().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(mocks[2].calls_async().await, 1, "no request past the total");
}
