//! Tag an audit instance, list its tags, and remove the tag again.
//!
//! ```sh
//! cargo run -p dbss --example tag_instance -- <instance-id>
//! ```

#[path = "support/mod.rs"]
mod support;

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = support::connect()?;
    let instance = support::instance_argument(&client).await?;
    let tags = client.tags("auditInstance", &instance);
    tags.add(&[("env", "prod"), ("owner", "db-team")]).await?;
    for tag in tags.list().await? {
        println!("{} = {}", tag.key.unwrap_or_default(), tag.value.unwrap_or_default());
    }
    tags.remove(&["owner"]).await?;
    println!("{} tag(s) left", tags.list().await?.len());
    Ok(())
}
