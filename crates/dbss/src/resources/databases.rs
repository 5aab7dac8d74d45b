//! Databases audited by an instance.

use futures::{Stream, TryStreamExt};

use dbss_api::types::{CreateDatabaseRequest, DataBase, SwitchAuditDbRequest, SwitchAuditDbRequestStatus};

use super::DEFAULT_PAGE_SIZE;
use crate::{Client, Error, Operation, paging::Paged};

/// The databases of one audit instance (see [`Client::databases`]).
#[derive(Clone, Copy, Debug)]
pub struct Databases<'a> {
    pub(crate) client: &'a Client,
    pub(crate) instance_id: &'a str,
}

impl<'a> Databases<'a> {
    /// Every database, page by page (`ListAuditDatabasesNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use futures::TryStreamExt;
    /// let names: Vec<_> = client.databases("062212d8-8e30-4783-9671-43f3f1f3bb1e").list().map_ok(|d| d.name).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> impl Stream<Item = Result<DataBase, Error>> + 'a {
        let items = self
            .client
            .ops()
            .list_audit_databases_new()
            .instance_id(self.instance_id)
            .items(DEFAULT_PAGE_SIZE);
        items.try_filter_map(|bean| async move { Ok(bean.database) })
    }

    /// Adds a database to audit (`AddAuditDatabaseNew`); the database id.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let request: dbss::types::CreateDatabaseRequest = serde_json::from_str(r#"{...}"#).map_err(|e| dbss::Error::Io(e.to_string()))?;
    /// let id = client.databases("062212d8-8e30-4783-9671-43f3f1f3bb1e").add(request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add(&self, request: CreateDatabaseRequest) -> Result<Option<String>, Error> {
        let response = self
            .client
            .ops()
            .add_audit_database_new()
            .instance_id(self.instance_id)
            .body(request)
            .call()
            .await?;
        Ok(response.id)
    }

    /// Turns auditing of a database on or off (`SwitchAuditDatabaseNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.databases("062212d8-8e30-4783-9671-43f3f1f3bb1e").switch("b80bb774-0288-fda1-f201-890375a60c8f", true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn switch(&self, database_id: &str, on: bool) -> Result<Option<String>, Error> {
        let request = SwitchAuditDbRequest {
            id: database_id.to_owned(),
            status: if on {
                SwitchAuditDbRequestStatus::On
            } else {
                SwitchAuditDbRequestStatus::Off
            },
            lts_audit_switch: None,
        };
        let response = self
            .client
            .ops()
            .switch_audit_database_new()
            .instance_id(self.instance_id)
            .body(request)
            .call()
            .await?;
        Ok(response.status)
    }

    /// Removes a database (`DeleteAuditDatabaseNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.databases("062212d8-8e30-4783-9671-43f3f1f3bb1e").delete("b80bb774-0288-fda1-f201-890375a60c8f").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, database_id: &str) -> Result<Option<String>, Error> {
        let response = self
            .client
            .ops()
            .delete_audit_database_new()
            .instance_id(self.instance_id)
            .id(database_id)
            .call()
            .await?;
        Ok(response.status)
    }
}
