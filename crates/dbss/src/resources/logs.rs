//! Audit records of an instance: SQL statements, alarms, operation logs.

use futures::Stream;

use dbss_api::types::{
    AlarmLogRequest, AlarmLogRequestTime, AlarmLogResponseNewAlarmLog, AuditSqlRequest, AuditSqlRequestTime,
    AuditSqlRequestTimeOrder, AuditSqlResponseSqls,
};

use super::body;
use crate::{
    Client, Error, Operation,
    follow::{self, FollowOptions, Followed, Window, format_api_time},
    paging::Paged,
};

/// The documented time windows of the audit-record queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRange {
    /// The last 30 minutes.
    HalfHour,
    /// The last hour.
    Hour,
    /// The last three hours.
    ThreeHours,
    /// The last twelve hours.
    TwelveHours,
    /// The last day.
    Day,
    /// The last week.
    Week,
    /// The last month.
    Month,
}

impl TimeRange {
    /// The API's name of the window.
    ///
    /// ```
    /// assert_eq!(dbss::resources::TimeRange::Hour.as_str(), "HOUR");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TimeRange::HalfHour => "HALF_HOUR",
            TimeRange::Hour => "HOUR",
            TimeRange::ThreeHours => "THREE_HOUR",
            TimeRange::TwelveHours => "TWELVE_HOUR",
            TimeRange::Day => "DAY",
            TimeRange::Week => "WEEK",
            TimeRange::Month => "MONTH",
        }
    }
}

/// The audit records of one instance (see [`Client::audit_logs`]).
#[derive(Clone, Copy, Debug)]
pub struct AuditLogs<'a> {
    pub(crate) client: &'a Client,
    pub(crate) instance_id: &'a str,
}

impl<'a> AuditLogs<'a> {
    /// Audited SQL statements of the window, newest first, streamed page by page
    /// (`ListAuditSqlsNew`): any number of rows in constant memory.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::resources::TimeRange;
    /// use futures::TryStreamExt;
    /// let mut sqls = std::pin::pin!(client.audit_logs("062212d8-8e30-4783-9671-43f3f1f3bb1e").sqls(TimeRange::Hour, 500)?);
    /// while let Some(record) = sqls.try_next().await? {
    ///     println!("{:?}", record.sql.and_then(|s| s.sql_statement));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn sqls(
        &self,
        range: TimeRange,
        page_size: u64,
    ) -> Result<impl Stream<Item = Result<AuditSqlResponseSqls, Error>> + 'a, Error> {
        let request = body::<dbss_api::types::AuditSqlRequest>(
            "ListAuditSqlsNew",
            serde_json::json!({ "time": { "time_range": range.as_str() }, "page": 1, "size": page_size, "time_order": "DESC" }),
        )?;
        Ok(self
            .client
            .ops()
            .list_audit_sqls_new()
            .instance_id(self.instance_id)
            .body(request)
            .items(page_size))
    }

    /// Alarms of the window, streamed page by page (`ListAuditAlarmLogNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::resources::TimeRange;
    /// use futures::TryStreamExt;
    /// let alarms: Vec<_> = client.audit_logs("062212d8-8e30-4783-9671-43f3f1f3bb1e").alarms(TimeRange::Day, 200)?.try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn alarms(
        &self,
        range: TimeRange,
        page_size: u64,
    ) -> Result<impl Stream<Item = Result<AlarmLogResponseNewAlarmLog, Error>> + 'a, Error> {
        let request = body::<dbss_api::types::AlarmLogRequest>(
            "ListAuditAlarmLogNew",
            serde_json::json!({ "time": { "time_range": range.as_str() }, "page": 1, "size": page_size }),
        )?;
        Ok(self
            .client
            .ops()
            .list_audit_alarm_log_new()
            .instance_id(self.instance_id)
            .body(request)
            .items(page_size))
    }

    /// Audited SQL statements as they are written, oldest first, without end: see
    /// [`crate::follow`] for how windows overlap, de-duplication, back-off and checkpoints.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::follow::{FollowOptions, Start};
    /// use futures::TryStreamExt;
    /// let logs = client.audit_logs("062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// let mut sqls = std::pin::pin!(logs.follow(FollowOptions::new(Start::Now)));
    /// while let Some(followed) = sqls.try_next().await? {
    ///     println!("{:?}", followed.record.sql.and_then(|s| s.id));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn follow(
        &self,
        options: FollowOptions,
    ) -> impl Stream<Item = Result<Followed<AuditSqlResponseSqls>, Error>> + 'a {
        let (client, instance_id) = (self.client, self.instance_id);
        follow::follow(options, true, move |window: Window, offset, limit| {
            let request = AuditSqlRequest {
                client_ip: None,
                client_name: None,
                db_ip: None,
                db_user: None,
                page: 1,
                query_type: None,
                risk_levels: None,
                rule_name: None,
                size: 1,
                sql_response: None,
                sql_statement: None,
                time: AuditSqlRequestTime {
                    start_time: Some(format_api_time(window.from)),
                    end_time: Some(format_api_time(window.end)),
                    time_range: None,
                },
                time_order: AuditSqlRequestTimeOrder::Asc,
            };
            let call = client
                .ops()
                .list_audit_sqls_new()
                .instance_id(instance_id)
                .body(request)
                .at(offset, limit);
            async move { Ok(dbss_api::builder::ListAuditSqlsNew::split(call.call().await?)) }
        })
    }

    /// Alarms as they are raised, without end (like [`AuditLogs::follow`]; the alarm list
    /// has no ascending order, so each window's pages come newest first).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::follow::{FollowOptions, Start};
    /// use futures::TryStreamExt;
    /// let logs = client.audit_logs("062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// let mut alarms = std::pin::pin!(logs.follow_alarms(FollowOptions::new(Start::Now)));
    /// while let Some(followed) = alarms.try_next().await? {
    ///     println!("{:?}", followed.record.alarm_description);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn follow_alarms(
        &self,
        options: FollowOptions,
    ) -> impl Stream<Item = Result<Followed<AlarmLogResponseNewAlarmLog>, Error>> + 'a {
        let (client, instance_id) = (self.client, self.instance_id);
        follow::follow(options, false, move |window: Window, offset, limit| {
            let request = AlarmLogRequest {
                page: 1,
                risk: Vec::new(),
                size: 1,
                status: None,
                time: AlarmLogRequestTime {
                    start_time: Some(format_api_time(window.from)),
                    end_time: Some(format_api_time(window.end)),
                    time_range: None,
                },
                type_: None,
            };
            let call = client
                .ops()
                .list_audit_alarm_log_new()
                .instance_id(instance_id)
                .body(request)
                .at(offset, limit);
            async move { Ok(dbss_api::builder::ListAuditAlarmLogNew::split(call.call().await?)) }
        })
    }
}
