//! `dbss demo`: a short tour of the real workflow on a simulator started in-process, with
//! real signed HTTP calls: order an instance and wait for it, change its security group, add
//! a database and an agent, enable a risk rule, look at the last hour of audit SQL and alarms,
//! export them, tag the instance, and see what errors look like.
//!
//! A step whose operation the simulator does not serve (HTTP 404 `DBSS.10021004`) is skipped
//! with a note, so the tour runs on any simulator version; any other failure ends it.

use std::{future::Future, io::Write, time::Duration};

use dbss::{
    Credentials,
    resources::TimeRange,
    wait::{InstanceState, Waiter},
};
use futures::{TryStreamExt, stream};
use serde_json::{Value, json};

use crate::{
    api_support::decode_body,
    commands::{
        audit::{self, Kind},
        instances::create::ordered_instance,
        to_value,
    },
    error::CliError,
    export::{ExportFormat, RecordWriter},
    output::{Format, Printer},
    since::Window,
};

/// `println!`, but a closed stdout (`dbss demo | head`) becomes an error that ends the tour
/// like any other, so that its temporary folder is removed on the way out.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(CliError::Io)?
    };
}

/// The simulator's region (an order must name the region of the endpoint).
const REGION: &str = "cn-north-4";
/// The error code of an operation the service (here: the simulator) does not have.
const NO_SUCH_API: &str = "DBSS.10021004";

/// Runs the tour, printing each step and its result.
pub async fn run() -> Result<(), CliError> {
    let sim = dbss_sim::Simulator::builder()
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the simulator: {e}")))?;
    say!("▶ started dbss-sim at {} (project {})", sim.url(), sim.project_id());
    let client = dbss::Client::builder()
        .endpoint(sim.url())
        .project_id(sim.project_id())
        .credentials(Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()?;
    say!(
        "  the client signs every request with SDK-HMAC-SHA256 as access key {}",
        sim.ak()
    );
    // Exports go to a folder of our own (created with a random name, no one else's), removed
    // when the tour ends, however it ends.
    let files = tempfile::Builder::new()
        .prefix("dbss-demo-")
        .tempdir()
        .map_err(|e| CliError::file(std::env::temp_dir(), e))?;
    let mut tour = Tour {
        client,
        skipped: Vec::new(),
        files,
    };
    let instance = tour.order_and_wait().await?;
    tour.security_group(&instance).await?;
    let database = tour.database(&instance).await?;
    if let Some(database) = &database {
        tour.agent(&instance, database).await?;
    }
    tour.risk_rule(&instance).await?;
    tour.records(&instance).await?;
    tour.export(&instance).await?;
    tour.tags(&instance).await?;
    tour.mistakes().await?;
    let folder = tour.files.path().display().to_string();
    match tour.files.close() {
        Ok(()) => say!("\n▶ removed the demo's temporary folder {folder}"),
        Err(e) => say!("\n▶ could not remove the demo's temporary folder {folder} ({e}): remove it yourself"),
    }
    if tour.skipped.is_empty() {
        say!("\n✔ demo finished");
    } else {
        say!(
            "\n✔ demo finished; skipped because this simulator does not serve them yet: {}",
            tour.skipped.join(", ")
        );
    }
    Ok(())
}

struct Tour {
    client: dbss::Client,
    skipped: Vec<&'static str>,
    /// Where the export step writes.
    files: tempfile::TempDir,
}

impl Tour {
    /// Runs one call; `None` (and a note) when the simulator does not serve the operation.
    async fn step<T>(
        &mut self,
        operation: &'static str,
        call: impl Future<Output = Result<T, dbss::Error>>,
    ) -> Result<Option<T>, CliError> {
        match call.await {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.status() == Some(404) && e.error_code() == Some(NO_SUCH_API) => {
                say!("  (skipped: this simulator does not serve {operation} yet)");
                self.skipped.push(operation);
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn order_and_wait(&mut self) -> Result<String, CliError> {
        let name = "demo-audit";
        say!("\n▶ Order a yearly/monthly audit instance {name:?} (CreateInstancesPeriodOrderNew)");
        let request = decode_body::<dbss::types::CreateInstancePeriodRequest>(
            "demo order",
            json!({
                "name": name, "flavor_ref": "c6.xlarge.2", "vpc_id": "b26086b0-8257-21c4-6b34-3c2486e643b7",
                "availability_zone": "cn-north-4a", "region": REGION,
                "nics": [{ "subnet_id": "fe866fcb-2725-fcd8-0b02-4a7957795b65" }],
                "security_groups": [{ "id": "b80bb774-0288-fda1-f201-890375a60c8f" }],
                "cloud_service_type": "hws.service.type.dbss", "charging_mode": 0, "period_type": 2,
                "period_num": 1, "subscription_num": 1, "is_auto_renew": 0,
                "product_infos": [{
                    "product_id": "9bea82de-f865-d4d0-e499-eb252805f127", "cloud_service_type": "hws.service.type.dbss",
                    "resource_type": "hws.resource.type.dbss", "resource_spec_code": "dbss.bypassaudit.low",
                }],
            }),
        )?;
        let client = self.client.clone();
        let order = self
            .step("CreateInstancesPeriodOrderNew", client.instances().order(request))
            .await?;
        if let Some(order) = order {
            say!("  order {} placed", order.order_id.as_deref().unwrap_or("?"));
            say!("\n▶ Wait for the new instance to be ACTIVE (ListAuditInstancesLast, polled with backoff)");
            let deadline = Duration::from_secs(60);
            let id = ordered_instance(&client, name, &[], deadline)
                .await?
                .ok_or_else(|| CliError::Failed(format!("the order did not list an instance named {name}")))?;
            let waiter = Waiter {
                deadline,
                first_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(1),
            };
            let started = std::time::Instant::now();
            let instance = client.instances().wait(&id, InstanceState::Active, &waiter).await?;
            say!("  {id} is ACTIVE after {:.1}s", started.elapsed().as_secs_f64());
            if let Some(instance) = instance {
                show(
                    &[to_value(instance)?],
                    &["id", "name", "status", "resource_spec_code", "zone"],
                )
                .await?;
            }
            return Ok(id);
        }
        say!("\n▶ Use a seeded instance instead (ListAuditInstancesLast, 2 per page)");
        let pages: Vec<_> = client.instances().pages(2).try_collect().await?;
        let instances: Vec<_> = pages.into_iter().flat_map(|page| page.items).collect();
        let rows = instances.iter().map(to_value).collect::<Result<Vec<_>, _>>()?;
        show(&rows, &["id", "name", "status", "security_group_id"]).await?;
        instances
            .into_iter()
            .find_map(|i| i.id)
            .ok_or_else(|| CliError::Failed("the simulator has no instance".into()))
    }

    async fn security_group(&mut self, instance: &str) -> Result<(), CliError> {
        let group = "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd";
        say!("\n▶ Bind security group {group} (UpdateAuditSecurityGroupNew; DBSS takes exactly one)");
        let client = self.client.clone();
        let result = self
            .step(
                "UpdateAuditSecurityGroupNew",
                client.instances().set_security_group(instance, group),
            )
            .await?;
        if let Some(result) = result {
            say!("  result: {}", result.as_deref().unwrap_or("(none)"));
        }
        Ok(())
    }

    async fn database(&mut self, instance: &str) -> Result<Option<String>, CliError> {
        say!("\n▶ Add a MySQL database to audit (AddAuditDatabaseNew)");
        let request = decode_body::<dbss::types::CreateDatabaseRequest>(
            "demo database",
            json!({ "database": {
                "db_classification": "ECS", "name": "shop", "type": "MYSQL", "version": "8.0",
                "charset": "UTF8", "ip": "192.168.0.20", "port": "3306", "os": "LINUX64",
            }}),
        )?;
        let client = self.client.clone();
        let id = self
            .step("AddAuditDatabaseNew", client.databases(instance).add(request))
            .await?
            .flatten();
        if let Some(id) = &id {
            say!("  database {id} added; auditing it (SwitchAuditDatabaseNew)");
            client.databases(instance).switch(id, true).await?;
            let databases: Vec<_> = client.databases(instance).list().try_collect().await?;
            let rows = databases.into_iter().map(to_value).collect::<Result<Vec<_>, _>>()?;
            show(&rows, &["id", "name", "type", "ip", "port", "status"]).await?;
        }
        Ok(id)
    }

    async fn agent(&mut self, instance: &str, database: &str) -> Result<(), CliError> {
        say!("\n▶ Add an agent on the database host (AddAuditAgentNew)");
        let request = decode_body::<dbss::types::AuditAgentRequest>(
            "demo agent",
            json!({ "db_id": database, "mode": 0, "agent_type": "DB", "agent_os": "LINUX64_X86" }),
        )?;
        let client = self.client.clone();
        if self
            .step("AddAuditAgentNew", client.agents(instance).add(request))
            .await?
            .is_some()
        {
            let agents = client.agents(instance).list(database).await?;
            let rows = agents.into_iter().map(to_value).collect::<Result<Vec<_>, _>>()?;
            show(&rows, &["agent_id", "agent_type", "agent_os", "status"]).await?;
        }
        Ok(())
    }

    async fn risk_rule(&mut self, instance: &str) -> Result<(), CliError> {
        say!("\n▶ Enable a risk rule (ListAuditRuleRisksNew, SwitchRiskRuleNew)");
        let client = self.client.clone();
        let rules = client.risk_rules(instance);
        let Some(list) = self
            .step("ListAuditRuleRisksNew", rules.list().try_collect::<Vec<_>>())
            .await?
        else {
            return Ok(());
        };
        let Some(rule) = list.iter().find(|r| r.id.is_some()) else {
            say!("  the instance has no risk rule");
            return Ok(());
        };
        let id = rule.id.clone().unwrap_or_default();
        rules.switch(&[id.as_str()], true).await?;
        say!("  rule {id} ({}) is ON", rule.name.as_deref().unwrap_or("unnamed"));
        Ok(())
    }

    async fn records(&mut self, instance: &str) -> Result<(), CliError> {
        let window = Window::Named(TimeRange::Hour);
        say!("\n▶ The last hour of audited SQL (ListAuditSqlsNew, time_range HOUR), newest first");
        let client = self.client.clone();
        let first = audit::record_pages(&client, Kind::Sql, instance, &window, None, 5, 1)?;
        let Some(page) = self.step("ListAuditSqlsNew", first_page(first)).await? else {
            return Ok(());
        };
        say!(
            "  {} statements; the newest:",
            page.total.unwrap_or(page.items.len() as u64)
        );
        show(
            &page.items,
            &["start_time", "db_user", "query_type", "risk_level", "sql_statement"],
        )
        .await?;
        say!("\n▶ The last hour of alarms (ListAuditAlarmLogNew)");
        let first = audit::record_pages(&client, Kind::Alarms, instance, &window, None, 5, 1)?;
        if let Some(page) = self.step("ListAuditAlarmLogNew", first_page(first)).await? {
            say!("  {} alarms", page.total.unwrap_or(page.items.len() as u64));
            show(&page.items, &["alarm_time", "alarm_type", "alarm_risk", "alarm_status"]).await?;
        }
        Ok(())
    }

    async fn export(&mut self, instance: &str) -> Result<(), CliError> {
        if self.skipped.contains(&"ListAuditSqlsNew") {
            return Ok(());
        }
        let window = Window::Named(TimeRange::Hour);
        let dir = self.files.path().to_owned();
        say!("\n▶ Export them, page by page in constant memory (dbss sql export / dbss alarms export)");
        for (kind, format, name, columns) in [
            (Kind::Sql, ExportFormat::Jsonl, "sql.jsonl", audit::SQL_CSV),
            (Kind::Alarms, ExportFormat::Csv, "alarms.csv", audit::ALARM_CSV),
        ] {
            let path = dir.join(name);
            let mut writer = RecordWriter::create(Some(&path), format, columns)?;
            let pages = audit::record_pages(&self.client, kind, instance, &window, None, 100, 1)?;
            let written = audit::export(pages, &mut writer, &indicatif::ProgressBar::hidden()).await?;
            writer.finish()?;
            say!("  {written} records → {}", path.display());
        }
        Ok(())
    }

    async fn tags(&mut self, instance: &str) -> Result<(), CliError> {
        say!("\n▶ Tag the instance (BatchAddResourceTag on its resource_id, ListAuditTags)");
        let client = self.client.clone();
        let Some(found) = self
            .step("ListAuditInstancesLast", client.instances().get(instance))
            .await?
        else {
            return Ok(());
        };
        let Some(resource) = found.and_then(|i| i.resource_id) else {
            say!("  the instance has no resource_id");
            return Ok(());
        };
        let tags = client.tags("auditInstance", &resource);
        if self
            .step(
                "BatchAddResourceTag",
                tags.add(&[("env", "demo"), ("owner", "dbss-cli")]),
            )
            .await?
            .is_some()
        {
            let listed = tags.list().await?;
            let rows = listed.into_iter().map(to_value).collect::<Result<Vec<_>, _>>()?;
            show(&rows, &["key", "value"]).await?;
        }
        Ok(())
    }

    async fn mistakes(&mut self) -> Result<(), CliError> {
        let group = "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd";
        let instances = self.client.instances();
        say!("\n▶ A mistake, on purpose: an instance that does not exist");
        // Well-formed (32–64 characters, as the API pages require) but unknown to the service.
        let missing = "00000000-0000-4000-8000-000000000000";
        match instances.set_security_group(missing, group).await {
            Err(error) => say!("{}", CliError::Api(error).report()),
            Ok(_) => say!("unexpected success"),
        }
        say!("\n▶ And one refused before sending: an instance id shorter than the documented 32 characters");
        match instances.set_security_group("not-32-characters", group).await {
            Err(error) => say!("error: {error}"),
            Ok(_) => say!("unexpected success"),
        }
        Ok(())
    }
}

async fn first_page(mut pages: audit::RecordPages<'_>) -> Result<dbss::Page<Value>, dbss::Error> {
    match pages.try_next().await {
        Ok(Some(page)) => Ok(page),
        Ok(None) => Ok(dbss::Page {
            items: Vec::new(),
            total: Some(0),
            offset: 0,
        }),
        Err(CliError::Api(e)) => Err(e),
        Err(other) => Err(dbss::Error::Io(other.to_string())),
    }
}

/// Prints rows as a table of `columns`.
async fn show(rows: &[Value], columns: &[&str]) -> Result<(), CliError> {
    if rows.is_empty() {
        say!("  (none)");
        return Ok(());
    }
    let printer = Printer::new(Format::Table);
    printer
        .list(stream::iter(rows.iter().cloned().map(Ok)), columns)
        .await?;
    Ok(())
}
