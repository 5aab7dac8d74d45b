//! `dbss configure`, named profiles and the IAM credential kinds: real files in a temporary
//! directory, prompts driven in a real pseudo-terminal, the simulator on 127.0.0.1.
#![cfg(unix)]

mod support;

use std::{os::unix::fs::PermissionsExt, path::Path, process::Command, time::Duration};

use dbss_sim::Simulator;
use expectrl::{Eof, Expect, session::OsSession as Session};
use support::{bare, fails, json, ok, run, run_with_stdin, sim, stderr, stdout, temp_dir};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

/// `dbss` with a clean environment and the terminal for its standard streams.
fn interactive() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbss"));
    command.env_clear().env("HOME", "/nonexistent-home").env("TERM", "dumb");
    command
}

/// `dbss` in a pseudo-terminal, with `command`'s arguments and environment.
fn terminal(command: Command) -> Session {
    let mut session = Session::spawn(command).unwrap_or_else(|e| panic!("cannot start a terminal: {e}"));
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

fn expect(session: &mut Session, text: &str) -> String {
    let found = session
        .expect(text)
        .unwrap_or_else(|e| panic!("expected {text:?} on the terminal: {e}"));
    String::from_utf8_lossy(found.before()).into_owned()
}

fn finished_ok(session: &mut Session) -> String {
    let rest = session
        .expect(Eof)
        .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned());
    let status = session
        .get_process()
        .wait()
        .map(|s| format!("{s:?}"))
        .unwrap_or_default();
    assert!(status.ends_with(", 0)"), "exit status {status}; output {rest:?}");
    rest.unwrap_or_default()
}

fn configure_command(file: &Path, args: &[&str]) -> Command {
    let mut command = bare();
    command
        .arg("configure")
        .args(args)
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", file);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn the_terminal_shows_current_values_masked_and_enter_keeps_them() {
    let sim = sim().await;
    let dir = temp_dir("configure-pty");
    let file = dir.join("credentials");
    std::fs::write(
        &file,
        format!(
            "[basic]\nak = AKOLDVALUE1234\nsk = SKOLDVALUE9876\nproject_id = {}\nregion = {}\nendpoint = {}\n[other]\nkeep = me\n",
            sim.project_id(),
            sim.region(),
            sim.url()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));

    let mut command = interactive();
    command
        .args(["configure", "-o", "json"])
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file);
    let mut session = terminal(command);
    expect(&mut session, "Access key (AK) [****1234]: ");
    session.send_line(sim.ak()).unwrap_or_else(|e| panic!("{e}"));
    expect(&mut session, "Secret key (SK) [****9876]: ");
    session.send_line(sim.sk()).unwrap_or_else(|e| panic!("{e}"));
    let shown = expect(&mut session, &format!("Region (e.g. cn-north-4) [{}]: ", sim.region()));
    assert!(!shown.contains(sim.sk()), "the secret key was echoed: {shown:?}");
    session.send_line("").unwrap_or_else(|e| panic!("{e}"));
    expect(
        &mut session,
        &format!("Project id (Enter to look it up) [{}]: ", sim.project_id()),
    );
    session.send_line("").unwrap_or_else(|e| panic!("{e}"));
    let rest = finished_ok(&mut session);
    assert!(!rest.contains(sim.sk()), "{rest}");

    let text = std::fs::read_to_string(&file).unwrap_or_default();
    for kept in [
        format!("ak={}", sim.ak()),
        format!("sk={}", sim.sk()),
        format!("project_id={}", sim.project_id()),
        format!("region={}", sim.region()),
        format!("endpoint={}", sim.url()),
        "keep=me".to_owned(),
    ] {
        assert!(text.replace(' ', "").contains(&kept), "{kept} in\n{text}");
    }
    let at = |needle: &str| text.find(needle).unwrap_or(usize::MAX);
    assert!(
        at("[basic]") < at("ak") && at("ak") < at("project_id") && at("project_id") < at("[other]"),
        "sections and keys keep their order:\n{text}"
    );
    assert_eq!(mode(&file), 0o600, "a 0644 file becomes 0600");

    // The saved region and endpoint are enough for the next command.
    let mut command = bare();
    command
        .args(["instances", "list", "-o", "json"])
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file);
    ok(&run(command));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_project_id_is_looked_up_and_the_directory_is_made_private() {
    let sim = sim().await;
    let home = temp_dir("configure-home");
    // Piped answers, in the order asked: access key, secret key, region, project id (empty).
    let mut command = bare();
    command
        .args(["configure", "-o", "json", "--endpoint", &sim.url()])
        .env("HOME", &home);
    let out = run_with_stdin(command, &format!("{}\n{}\n{}\n\n", sim.ak(), sim.sk(), sim.region()));
    let saved = json(&out);
    assert_eq!(saved["project_id"], sim.project_id(), "{saved}");
    assert!(!format!("{}{}", stdout(&out), stderr(&out)).contains(sim.sk()));
    let dir = home.join(".huaweicloud");
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("credentials")), 0o600);

    let mut command = bare();
    command.args(["instances", "list", "-o", "json"]).env("HOME", &home);
    ok(&run(command));

    // Neither a region nor an endpoint: refused, nothing written.
    let other = home.join("other");
    let mut command = bare();
    command.args(["configure", "--file"]).arg(&other);
    let err = fails(&run_with_stdin(command, "AK\nSK\n\n"), 2);
    assert!(err.contains("region"), "{err}");
    assert!(!other.exists());
    let _ = std::fs::remove_dir_all(home);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_planted_temporary_file_is_never_used() {
    let dir = temp_dir("configure-planted");
    let file = dir.join("credentials");
    let victim = dir.join("victim");
    std::fs::write(&victim, "").unwrap_or_else(|e| panic!("{e}"));
    // The old predictable temporary name, as a symlink to a file an attacker can read.
    std::os::unix::fs::symlink(&victim, dir.join("credentials.part")).unwrap_or_else(|e| panic!("{e}"));
    let mut command = configure_command(
        &file,
        &[
            "--ak",
            "AK1",
            "--sk-stdin",
            "--project-id",
            "p1",
            "--region",
            "cn-north-4",
        ],
    );
    command.arg("-o").arg("json");
    ok(&run_with_stdin(command, "SECRETSK\n"));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "",
        "the secret went through the link"
    );
    assert!(std::fs::symlink_metadata(dir.join("credentials.part")).is_ok_and(|m| m.file_type().is_symlink()));
    assert!(std::fs::read_to_string(&file).unwrap_or_default().contains("SECRETSK"));
    assert_eq!(mode(&file), 0o600);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        ["credentials", "credentials.part", "victim"],
        "no temporary file left"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_select_a_section_for_reading_and_for_configure() {
    let sim = sim().await;
    let dir = temp_dir("configure-profiles");
    let file = dir.join("credentials");
    std::fs::write(
        &file,
        format!(
            "[basic]\nak = WRONGAK\nsk = WRONGSK\nproject_id = {p}\nendpoint = {u}\n[lab]\nak = {ak}\nsk = {sk}\nproject_id = {p}\nendpoint = {u}\n",
            p = sim.project_id(),
            u = sim.url(),
            ak = sim.ak(),
            sk = sim.sk()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let list = |profile: Option<(&str, bool)>| {
        let mut command = bare();
        command
            .args(["instances", "list", "-o", "json"])
            .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file);
        match profile {
            Some((name, true)) => {
                command.args(["--profile", name]);
            }
            Some((name, false)) => {
                command.env("DBSS_PROFILE", name);
            }
            None => {}
        }
        run(command)
    };
    assert!(!list(None).status.success(), "[basic] holds wrong keys");
    ok(&list(Some(("lab", true))));
    ok(&list(Some(("lab", false))));
    let err = fails(&list(Some(("nope", true))), 3);
    assert!(err.contains("[nope]"), "{err}");

    // configure --profile writes its own section and keeps the others.
    let command = configure_command(
        &file,
        &[
            "--profile",
            "ci",
            "--ak",
            "AKCI",
            "--sk-stdin",
            "--project-id",
            "pci",
            "--region",
            "eu-west-101",
            "-o",
            "json",
        ],
    );
    let saved = json(&run_with_stdin(command, "SKCI\n"));
    assert_eq!(saved["section"], "ci");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        text.contains("[ci]") && text.contains("AKCI") && text.contains("[lab]") && text.contains("WRONGAK"),
        "{text}"
    );
    ok(&list(Some(("lab", true))));
    let _ = std::fs::remove_dir_all(dir);
}

/// The file is the user's (and the official SDK's): `configure` changes the lines it sets and
/// nothing else. Section names are exact, as for Python's reader: `[Prod]` is not `[prod]`.
#[test]
fn configure_keeps_comments_order_and_the_case_of_section_names() {
    let dir = temp_dir("configure-keeps");
    let file = dir.join("credentials");
    let before = "# team keys: rotate monthly\n[prod]\nak = LOWERCASE\n\n[Prod]\n; the real one\nAK: OLDAK\nnote = line one\n  line two\nregion = r-old\n\n[lab]\nak = LAB\n";
    std::fs::write(&file, before).unwrap_or_else(|e| panic!("{e}"));
    let command = configure_command(
        &file,
        &[
            "--profile",
            "Prod",
            "--ak",
            "NEWAK",
            "--sk-stdin",
            "--project-id",
            "p1",
            "--region",
            "r-new",
            "-o",
            "json",
        ],
    );
    let saved = json(&run_with_stdin(command, "NEW#SK;1\n"));
    assert_eq!(saved["section"], "Prod");
    let after = std::fs::read_to_string(&file).unwrap_or_default();
    assert_eq!(
        after,
        "# team keys: rotate monthly\n[prod]\nak = LOWERCASE\n\n[Prod]\n; the real one\nak = NEWAK\nnote = line one\n  line two\nregion = r-new\nsk = NEW#SK;1\nproject_id = p1\n\n[lab]\nak = LAB\n"
    );
    assert_eq!(mode(&file), 0o600);

    // A value with a line break would write a line of its own: refused, the file untouched.
    let command = configure_command(
        &file,
        &[
            "--profile",
            "Prod",
            "--ak",
            "A\n[evil]",
            "--sk-stdin",
            "--project-id",
            "p1",
            "--region",
            "r",
        ],
    );
    let err = fails(&run_with_stdin(command, "S\n"), 2);
    assert!(err.contains("line break"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap_or_default(), after);
    let _ = std::fs::remove_dir_all(dir);
}

async fn iam_sim() -> Simulator {
    Simulator::builder()
        .iam_user("ops-bot", "pw-very-secret", "acme")
        .token("fixed-token-very-secret")
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn iam_token_and_password_come_from_the_environment() {
    let sim = iam_sim().await;
    let mut command = bare();
    command
        .args(["instances", "list", "-o", "json", "--endpoint", &sim.url()])
        .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
        .env("DBSS_IAM_TOKEN", "fixed-token-very-secret");
    ok(&run(command));

    // A password, exchanged for a token scoped to the region's project (looked up the same way).
    let mut command = bare();
    command
        .args([
            "instances",
            "list",
            "-o",
            "json",
            "--endpoint",
            &sim.url(),
            "--region",
            sim.region(),
        ])
        .env("DBSS_IAM_USER", "ops-bot")
        .env("DBSS_IAM_DOMAIN", "acme")
        .env("DBSS_IAM_PASSWORD", "pw-very-secret");
    ok(&run(command));

    let mut command = bare();
    command
        .args(["instances", "list", "--endpoint", &sim.url(), "--region", sim.region()])
        .env("DBSS_IAM_USER", "ops-bot")
        .env("DBSS_IAM_DOMAIN", "acme")
        .env("DBSS_IAM_PASSWORD", "not-the-password-42");
    let out = run(command);
    let err = fails(&out, 3);
    assert!(!err.contains("not-the-password-42"), "{err}");

    // Asked for without a terminal: a configuration error naming the variable.
    let mut command = bare();
    command.args(["instances", "list", "--endpoint", &sim.url(), "--auth", "token"]);
    let err = fails(&run(command), 3);
    assert!(err.contains("DBSS_IAM_TOKEN"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_iam_password_is_asked_for_without_echo() {
    let sim = iam_sim().await;
    let mut command = interactive();
    command
        .args([
            "instances",
            "list",
            "-o",
            "json",
            "--auth",
            "password",
            "--endpoint",
            &sim.url(),
        ])
        .args(["--region", sim.region()])
        .env("DBSS_IAM_DOMAIN", "acme");
    let mut session = terminal(command);
    expect(&mut session, "IAM user name: ");
    session.send_line("ops-bot").unwrap_or_else(|e| panic!("{e}"));
    expect(&mut session, "Password of ops-bot: ");
    session.send_line("pw-very-secret").unwrap_or_else(|e| panic!("{e}"));
    let rest = finished_ok(&mut session);
    assert!(!rest.contains("pw-very-secret"), "the password was echoed: {rest}");
    assert!(rest.contains('['), "the instances, as JSON: {rest}");
}
