//! [`AuditLogs::follow`] and [`AuditLogs::follow_alarms`]: the follower of this module over the
//! two record lists (they live here, not in `resources/logs.rs`, so that the `follow` feature
//! takes all of it out of a build).

use futures::Stream;

use dbss_api::types::{
    AlarmLogRequest, AlarmLogRequestTime, AlarmLogResponseNewAlarmLog, AuditSqlRequest, AuditSqlRequestTime,
    AuditSqlRequestTimeOrder, AuditSqlResponseSqls,
};

use super::{FollowOptions, Followed, Window, format_api_time};
use crate::{Error, Operation, paging::Paged, resources::AuditLogs};

impl<'a> AuditLogs<'a> {
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
        super::follow(options, true, move |window: Window, offset, limit| {
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
        super::follow(options, false, move |window: Window, offset, limit| {
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
