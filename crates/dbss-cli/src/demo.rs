//! `dbss demo`: a short tour of the real workflow, on a simulator started in-process.

use dbss::Credentials;
use futures::TryStreamExt;

use crate::{
    error::CliError,
    output::{self, Format},
};

/// Runs the tour, printing each step and its result.
pub async fn run(format: Format) -> Result<(), CliError> {
    let sim = dbss_sim::Simulator::builder()
        .start()
        .await
        .map_err(|e| CliError::Usage(format!("cannot start the simulator: {e}")))?;
    println!("▶ started dbss-sim at {} (project {})", sim.url(), sim.project_id());
    let client = dbss::Client::builder()
        .endpoint(sim.url())
        .project_id(sim.project_id())
        .credentials(Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()?;
    println!(
        "▶ client signs every request with SDK-HMAC-SHA256 as access key {}",
        sim.ak()
    );

    println!("\n▶ ListAuditInstances: every audit instance, page by page (2 per page)");
    let instances: Vec<_> = dbss::paging::items(client.audit_instance_pages(2))
        .try_collect()
        .await?;
    let rows: Vec<_> = instances
        .iter()
        .map(|i| serde_json::json!({ "id": i.id, "name": i.name, "status": i.status, "security_group_id": i.security_group_id }))
        .collect();
    println!(
        "{}",
        output::render(&serde_json::json!({ "servers": rows }), Format::Table)
    );

    let Some(target) = instances.first().and_then(|i| i.id.clone()) else {
        return Err(CliError::Usage("the simulator has no instance".into()));
    };
    let new_group = "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd";
    println!("\n▶ UpdateAuditSecurityGroup: bind security group {new_group} to instance {target}");
    let outcome = client.update_audit_security_group(&target, new_group).await?;
    println!(
        "{}",
        output::render(&serde_json::to_value(&outcome).unwrap_or_default(), format)
    );

    println!("\n▶ ListAuditInstances again: the change is there");
    let page = client.list_audit_instances(0, 1).await?;
    if let Some(first) = page.items.first() {
        println!(
            "{}: security group {}",
            first.id.as_deref().unwrap_or("?"),
            first.security_group_id.as_deref().unwrap_or("?")
        );
    }

    println!("\n▶ A mistake, on purpose: an instance that does not exist");
    match client.update_audit_security_group("no-such-instance", new_group).await {
        Err(error) => println!("{}", CliError::Api(error).report()),
        Ok(_) => println!("unexpected success"),
    }

    println!("\n▶ And one refused before sending: two security groups where DBSS accepts one");
    match client.update_audit_security_group_ids(&target, &["sg-a", "sg-b"]).await {
        Err(error) => println!("error: {error}"),
        Ok(_) => println!("unexpected success"),
    }
    println!("\n✔ demo finished");
    Ok(())
}
