//! Agents of an audit instance.

use tokio::io::AsyncWrite;

use dbss_api::types::{AgentSwitchRequest, AuditAgentRequest, AuditAgentRespoonseAgents};

use crate::{
    Client, Error, Operation,
    download::{Progress, save},
};

/// The agents of one audit instance (see [`Client::agents`]).
#[derive(Clone, Copy, Debug)]
pub struct Agents<'a> {
    pub(crate) client: &'a Client,
    pub(crate) instance_id: &'a str,
}

impl Agents<'_> {
    /// The agents of one database (`ListAuditAgentNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let agents = client.agents("062212d8-8e30-4783-9671-43f3f1f3bb1e").list("b80bb774-0288-fda1-f201-890375a60c8f").await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, database_id: &str) -> Result<Vec<AuditAgentRespoonseAgents>, Error> {
        let response = self
            .client
            .ops()
            .list_audit_agent_new()
            .instance_id(self.instance_id)
            .db_id(database_id)
            .call()
            .await?;
        Ok(response.agents)
    }

    /// Adds an agent (`AddAuditAgentNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let request: dbss::types::AuditAgentRequest = serde_json::from_str(r#"{...}"#).map_err(|e| dbss::Error::Io(e.to_string()))?;
    /// client.agents("062212d8-8e30-4783-9671-43f3f1f3bb1e").add(request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add(&self, request: AuditAgentRequest) -> Result<Option<String>, Error> {
        let response = self
            .client
            .ops()
            .add_audit_agent_new()
            .instance_id(self.instance_id)
            .body(request)
            .call()
            .await?;
        Ok(response.result)
    }

    /// Turns an agent on or off (`SwitchAgentNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.agents("062212d8-8e30-4783-9671-43f3f1f3bb1e").switch("b80bb774-0288-fda1-f201-890375a60c8f", false).await?;
    /// # Ok(()) }
    /// ```
    pub async fn switch(&self, agent_id: &str, on: bool) -> Result<Option<String>, Error> {
        let request = AgentSwitchRequest {
            agent_id: agent_id.to_owned(),
            status: i32::from(on)
                .try_into()
                .map_err(|e| super::invalid("SwitchAgentNew", "status", e))?,
        };
        let response = self
            .client
            .ops()
            .switch_agent_new()
            .instance_id(self.instance_id)
            .body(request)
            .call()
            .await?;
        Ok(response.result)
    }

    /// Removes an agent of a database (`DeleteAuditAgentNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.agents("062212d8-8e30-4783-9671-43f3f1f3bb1e").delete("b80bb774-0288-fda1-f201-890375a60c8f", "3d4a84f7-bc17-b863-c154-3a4a30c8731e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, agent_id: &str, database_id: &str) -> Result<Option<String>, Error> {
        let call = self
            .client
            .ops()
            .delete_audit_agent_new()
            .instance_id(self.instance_id)
            .agent_id(agent_id)
            .db_id(database_id);
        Ok(call.call().await?.result)
    }

    /// Streams an agent's installation package to `writer` (`DownloadAuditAgentNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let mut file = tokio::fs::File::create("agent.tar.gz").await.map_err(|e| dbss::Error::Io(e.to_string()))?;
    /// client.agents("062212d8-8e30-4783-9671-43f3f1f3bb1e").download("b80bb774-0288-fda1-f201-890375a60c8f", &mut file, |p| eprintln!("{} bytes", p.bytes)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download<W: AsyncWrite + Unpin>(
        &self,
        agent_id: &str,
        writer: &mut W,
        progress: impl FnMut(Progress),
    ) -> Result<u64, Error> {
        let call = self
            .client
            .ops()
            .download_audit_agent_new()
            .instance_id(self.instance_id)
            .agent_id(agent_id);
        save("DownloadAuditAgentNew", call.call().await?, writer, progress).await
    }
}
