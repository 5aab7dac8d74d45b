//! An audit instance's name works wherever a command asks for an instance, in every command
//! group; an unknown name exits 4, a shared one exits 2 listing the candidates, and a dry run
//! looks a name up but sends nothing else.

mod support;

use serde_json::Value;
use support::{dbss, fails, json, ok, sim};

/// The id and name of the simulator's first instance.
fn first_instance(sim: &dbss_sim::Simulator) -> (String, String) {
    let listed = json(&dbss(sim, &["instances", "list", "-o", "json"]));
    let field = |key: &str| listed[0][key].as_str().unwrap_or_default().to_owned();
    let (id, name) = (field("id"), field("name"));
    assert!(!id.is_empty() && !name.is_empty() && id != name, "{listed}");
    (id, name)
}

/// What `args` print, run with `{}` replaced by `instance`.
fn with(sim: &dbss_sim::Simulator, args: &[&str], instance: &str) -> String {
    let args: Vec<&str> = args.iter().map(|a| if *a == "{}" { instance } else { a }).collect();
    ok(&dbss(sim, &args))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_group_takes_a_name_for_an_instance() {
    let sim = sim().await;
    require_full_sim!(sim);
    let (id, name) = first_instance(&sim);
    // Read-only commands answer the same for the name as for the id.
    for args in [
        &["databases", "list", "-i", "{}", "-o", "json"][..],
        &["agents", "list", "-i", "{}", "-o", "json"],
        &["rules", "risk", "list", "-i", "{}", "-o", "json"],
        &["rules", "masking", "list", "--instance", "{}", "-o", "json"],
        &["whitelists", "list", "-i", "{}", "-o", "json"],
        &["reports", "list", "-i", "{}", "-o", "json"],
        &["policy", "export", "-i", "{}"],
    ] {
        assert_eq!(with(&sim, args, &name), with(&sim, args, &id), "{args:?}");
    }
    ok(&dbss(
        &sim,
        &["sql", "list", "-i", &name, "--since", "1h", "-o", "json"],
    ));
    ok(&dbss(
        &sim,
        &["alarms", "list", "-i", &name, "--since", "1d", "-o", "json"],
    ));
    let plan = dbss(&sim, &["policy", "export", "-i", &name]);
    let dir = support::temp_dir("names-policy");
    let file = dir.join("policy.yaml");
    std::fs::write(&file, ok(&plan)).unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_string_lossy().into_owned();
    ok(&dbss(
        &sim,
        &["policy", "plan", "-f", &file, "--instances", &format!("{name},{id}")],
    ));

    // A change made by name lands on the instance of that name.
    let added = json(&dbss(
        &sim,
        &[
            "whitelists",
            "add",
            "-i",
            &name,
            "--sql",
            "select 'by name'",
            "-o",
            "json",
        ],
    ));
    assert_eq!(added["instance_id"], id.as_str(), "{added}");
    let listed = with(&sim, &["whitelists", "list", "-i", "{}", "-o", "json"], &id);
    assert!(listed.contains("by name"), "{listed}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_name_is_not_found_and_bad_input_is_refused_before_any_lookup() {
    let sim = sim().await;
    require_full_sim!(sim);
    for args in [
        &["databases", "list", "-i", "nobody-has-this-name"][..],
        &["agents", "list", "-i", "nobody-has-this-name"],
        &["rules", "scope", "list", "-i", "nobody-has-this-name"],
        &["sql", "tail", "-i", "nobody-has-this-name"],
        &["policy", "export", "-i", "nobody-has-this-name"],
    ] {
        let err = fails(&dbss(&sim, args), 4);
        assert!(err.contains("nobody-has-this-name"), "{args:?}: {err}");
    }
    // Usage errors that need no request come first, whatever the instance is called.
    let err = fails(
        &dbss(
            &sim,
            &["sql", "list", "-i", "nobody-has-this-name", "--since", "yesterday"],
        ),
        2,
    );
    assert!(err.contains("yesterday"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_name_is_refused_listing_the_instances_that_have_it() {
    let sim = sim().await;
    require_full_sim!(sim);
    // What the simulator's seed offers to build an instance with.
    let order = [
        ("--name", "twin"),
        ("--flavor", "c6.xlarge.2"),
        ("--vpc", "b26086b0-8257-21c4-6b34-3c2486e643b7"),
        ("--subnet", "fe866fcb-2725-fcd8-0b02-4a7957795b65"),
        ("--security-group", "b80bb774-0288-fda1-f201-890375a60c8f"),
        ("--zone", "cn-north-4a"),
        ("--product-id", "9bea82de-f865-d4d0-e499-eb252805f127"),
        ("--region", "cn-north-4"),
    ];
    let args: Vec<&str> = ["instances", "create"]
        .into_iter()
        .chain(order.iter().flat_map(|(flag, value)| [*flag, *value]))
        .collect();
    for _ in 0..2 {
        ok(&dbss(&sim, &args));
    }
    let listed = json(&dbss(&sim, &["instances", "list", "-o", "json"]));
    let twins: Vec<&str> = listed
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|i| i["name"] == "twin")
                .filter_map(|i| i["id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(twins.len(), 2, "{listed}");
    for args in [
        &["rules", "risk", "list", "-i", "twin"][..],
        &["whitelists", "delete", "-i", "twin", "w-1", "--yes"],
        &["policy", "export", "--instance", "twin"],
    ] {
        let err = fails(&dbss(&sim, args), 2);
        for id in &twins {
            assert!(err.contains(id), "{args:?}: the candidates are listed: {err}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_by_name_looks_the_name_up_and_shows_the_request_with_the_id() {
    let sim = sim().await;
    require_full_sim!(sim);
    let (id, name) = first_instance(&sim);
    let added = json(&dbss(
        &sim,
        &["whitelists", "add", "-i", &id, "--sql", "select 'kept'", "-o", "json"],
    ));
    assert_eq!(added["result"], "SUCCESS", "{added}");
    let entries: Value = serde_json::from_str(&with(&sim, &["whitelists", "list", "-i", "{}", "-o", "json"], &id))
        .unwrap_or_else(|e| panic!("{e}"));
    let entry = entries
        .as_array()
        .and_then(|all| all.iter().find(|e| e["sql"] == "select 'kept'"))
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("no entry: {entries}"))
        .to_owned();
    let printed = ok(&dbss(&sim, &["--dry-run", "whitelists", "delete", "-i", &name, &entry]));
    let request_line = printed.lines().next().unwrap_or_default();
    assert!(
        request_line.starts_with("POST ") && request_line.contains(&id) && !request_line.contains(&name),
        "{printed}"
    );
    let after = with(&sim, &["whitelists", "list", "-i", "{}", "-o", "json"], &id);
    assert!(after.contains("select 'kept'"), "the dry run deleted: {after}");
}

/// With password credentials, one run exchanges the password once, though the name lookup and
/// the command each send requests (each client built used to exchange it again).
#[tokio::test(flavor = "multi_thread")]
async fn a_password_is_exchanged_once_per_run_when_a_name_is_looked_up() {
    let sim = dbss_sim::Simulator::builder()
        .iam_user("ops-bot", "pw-very-secret", "acme")
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"));
    let (id, name) = first_instance(&sim);
    let with_password = |args: &[&str]| {
        let mut command = support::bare();
        command
            .args(args)
            .args(["--endpoint", &sim.url(), "-o", "json"])
            .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
            .env("DBSS_IAM_USER", "ops-bot")
            .env("DBSS_IAM_DOMAIN", "acme")
            .env("DBSS_IAM_PASSWORD", "pw-very-secret");
        support::run(command)
    };
    let before = sim.tokens_issued();
    let shown = json(&with_password(&["instances", "show", &name]));
    assert_eq!(shown["id"], id.as_str(), "{shown}");
    assert_eq!(
        sim.tokens_issued() - before,
        1,
        "one token for the lookup and the command"
    );
    // A dry run looks the name up for real, with a real token, and sends nothing else.
    let printed = ok(&with_password(&["--dry-run", "instances", "stop", &name]));
    assert!(printed.contains(&id), "{printed}");
    assert_eq!(
        sim.tokens_issued() - before,
        2,
        "the dry run's lookup needed its own run's token"
    );
}
