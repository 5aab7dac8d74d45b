//! Audit records of an instance: SQL statements, alarms, operation logs.

use futures::Stream;

use dbss_api::types::{
    AlarmLogRequest, AlarmLogRequestTime, AlarmLogRequestTimeTimeRange, AlarmLogResponseNewAlarmLog, AuditSqlRequest,
    AuditSqlRequestTime, AuditSqlRequestTimeOrder, AuditSqlRequestTimeTimeRange, AuditSqlResponseSqls,
};

use super::invalid;
use crate::{Client, Error, paging::Paged};

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

impl TimeRange {
    fn sql_range(self) -> AuditSqlRequestTimeTimeRange {
        match self {
            TimeRange::HalfHour => AuditSqlRequestTimeTimeRange::HalfHour,
            TimeRange::Hour => AuditSqlRequestTimeTimeRange::Hour,
            TimeRange::ThreeHours => AuditSqlRequestTimeTimeRange::ThreeHour,
            TimeRange::TwelveHours => AuditSqlRequestTimeTimeRange::TwelveHour,
            TimeRange::Day => AuditSqlRequestTimeTimeRange::Day,
            TimeRange::Week => AuditSqlRequestTimeTimeRange::Week,
            TimeRange::Month => AuditSqlRequestTimeTimeRange::Month,
        }
    }

    fn alarm_range(self) -> AlarmLogRequestTimeTimeRange {
        match self {
            TimeRange::HalfHour => AlarmLogRequestTimeTimeRange::HalfHour,
            TimeRange::Hour => AlarmLogRequestTimeTimeRange::Hour,
            TimeRange::ThreeHours => AlarmLogRequestTimeTimeRange::ThreeHour,
            TimeRange::TwelveHours => AlarmLogRequestTimeTimeRange::TwelveHour,
            TimeRange::Day => AlarmLogRequestTimeTimeRange::Day,
            TimeRange::Week => AlarmLogRequestTimeTimeRange::Week,
            TimeRange::Month => AlarmLogRequestTimeTimeRange::Month,
        }
    }
}

/// The API counts page sizes in an `i32`; a larger one is refused before sending.
fn page_size_of(operation: &'static str, page_size: u64) -> Result<i32, Error> {
    i32::try_from(page_size).map_err(|e| invalid(operation, "size", e))
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
        let request = AuditSqlRequest {
            time: AuditSqlRequestTime {
                time_range: Some(range.sql_range()),
                start_time: None,
                end_time: None,
            },
            page: 1,
            size: page_size_of("ListAuditSqlsNew", page_size)?,
            time_order: AuditSqlRequestTimeOrder::Desc,
            client_ip: None,
            client_name: None,
            db_ip: None,
            db_user: None,
            query_type: None,
            risk_levels: None,
            rule_name: None,
            sql_response: None,
            sql_statement: None,
        };
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
        let request = AlarmLogRequest {
            time: AlarmLogRequestTime {
                time_range: Some(range.alarm_range()),
                start_time: None,
                end_time: None,
            },
            page: 1,
            size: page_size_of("ListAuditAlarmLogNew", page_size)?,
            risk: Vec::new(),
            status: None,
            type_: None,
        };
        Ok(self
            .client
            .ops()
            .list_audit_alarm_log_new()
            .instance_id(self.instance_id)
            .body(request)
            .items(page_size))
    }
}
