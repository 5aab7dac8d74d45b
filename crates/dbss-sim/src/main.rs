//! `dbss-sim`: run a local DBSS.

use std::net::SocketAddr;

use clap::Parser;

/// A local Huawei Cloud DBSS for development and tests.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Access key the simulator accepts.
    #[arg(long, default_value = dbss_sim::defaults::AK)]
    ak: String,
    /// Secret key of that access key.
    #[arg(long, default_value = dbss_sim::defaults::SK, hide_default_value = true)]
    sk: String,
    /// Project id of the credentials.
    #[arg(long, default_value = dbss_sim::defaults::PROJECT_ID)]
    project_id: String,
    /// Also accept this IAM token (`X-Auth-Token`).
    #[arg(long)]
    token: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut builder = dbss_sim::Simulator::builder()
        .listen(args.listen)
        .credentials(args.ak, args.sk)
        .project_id(args.project_id);
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    match builder.start().await {
        Ok(sim) => {
            println!("dbss-sim listening on {}", sim.url());
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = sim.wait() => {}
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dbss-sim: cannot listen on {}: {e}", args.listen);
            std::process::ExitCode::FAILURE
        }
    }
}
