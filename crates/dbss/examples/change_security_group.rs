//! Bind a security group to an audit instance — the seed operation — and check the change.
//!
//! ```sh
//! cargo run -p dbss --example change_security_group -- <instance-id> <security-group-id>
//! ```
//! Without arguments, the first listed instance gets a fixed example group.

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = support::connect()?;
    let mut args = std::env::args().skip(1);
    let instance = match args.next() {
        Some(id) => id,
        None => {
            let first = std::pin::pin!(client.instances().list()).try_next().await?;
            first
                .and_then(|i| i.id)
                .ok_or_else(|| dbss::Error::Config("no audit instance to change".into()))?
        }
    };
    let group = args
        .next()
        .unwrap_or_else(|| "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd".to_owned());
    let outcome = client.instances().set_security_group(&instance, &group).await?;
    println!("UpdateAuditSecurityGroupNew: {}", outcome.unwrap_or_default());
    let now = client.instances().get(&instance).await?;
    println!(
        "{instance} is now in security group {}",
        now.and_then(|i| i.security_group_id).unwrap_or_default()
    );
    Ok(())
}
