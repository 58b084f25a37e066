//! The `kairos` binary's one-shot commands, run as a person or a script would run them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{TestDatabase, kairos_binary, spawn_app_with};

fn kairos(database: &TestDatabase, args: &[&str]) -> Output {
    kairos_with_stdin(database, args, None)
}

fn kairos_with_stdin(database: &TestDatabase, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(kairos_binary())
        .args(args)
        .envs(database.env())
        .current_dir(database.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kairos starts");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(input) = stdin {
            pipe.write_all(input.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().expect("kairos finishes")
}

/// [`kairos`] while an app of this test is running. The app shares the test's one-thread
/// runtime, so waiting for the command there would stop the app too, and a transaction it
/// had open would hold SQLite's write lock until the command gave up ("database is locked").
async fn kairos_beside_app(database: &TestDatabase, args: &[&str]) -> Output {
    let env = database.env();
    let dir = database.dir.path().to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(kairos_binary())
            .args(&args)
            .envs(env)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .expect("kairos runs")
    })
    .await
    .expect("the command's thread finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A failed command prints exactly one line, `error: …`, and exits non-zero.
fn assert_one_line_error(output: &Output, expected: &str) {
    assert!(!output.status.success(), "expected failure: {output:?}");
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(
        lines[0].contains(expected),
        "{stderr} should mention {expected}"
    );
}

#[tokio::test]
async fn users_and_api_keys_are_managed_from_the_command_line() {
    let database = TestDatabase::new().await;
    let created = kairos(
        &database,
        &[
            "user",
            "create",
            "--email",
            "Ada@Example.com",
            "--name",
            "Ada Host",
            "--timezone",
            "Europe/Berlin",
            "--password",
            "correct horse",
            "--admin",
        ],
    );
    assert!(created.status.success(), "{created:?}");
    assert!(text(&created.stdout).contains("ada@example.com"));

    let key_output = kairos(
        &database,
        &[
            "api-key",
            "create",
            "--email",
            "ada@example.com",
            "--name",
            "ci",
        ],
    );
    assert!(key_output.status.success(), "{key_output:?}");
    let stdout = text(&key_output.stdout);
    // The key alone on standard output, so `KEY=$(kairos api-key create …)` works.
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let key = stdout.trim().to_owned();
    assert!(key.starts_with("cal_live_") && !key.contains(' '), "{key}");

    let listed = text(
        &kairos(
            &database,
            &["api-key", "list", "--email", "ada@example.com"],
        )
        .stdout,
    );
    let key_id = listed.split('\t').next().unwrap().to_owned();
    assert!(
        listed.contains("ci") && !listed.contains(&key[13..]),
        "{listed}"
    );

    let config = database.config();
    let app = spawn_app_with(config, database).await;
    let me = app.get_with_key("/v2/me", &key).await;
    assert_eq!(me.status().as_u16(), 200);
    let body: serde_json::Value = me.json().await.unwrap();
    assert_eq!(body["data"]["email"], "ada@example.com");
    assert_eq!(body["data"]["timeZone"], "Europe/Berlin");

    let revoked = kairos_beside_app(
        &app.database,
        &[
            "api-key",
            "revoke",
            "--email",
            "ada@example.com",
            "--id",
            &key_id,
        ],
    )
    .await;
    assert!(revoked.status.success(), "{revoked:?}");
    assert_eq!(
        app.get_with_key("/v2/me", &key).await.status().as_u16(),
        401
    );
}

#[tokio::test]
async fn passwords_can_come_from_standard_input() {
    let database = TestDatabase::new().await;
    let output = kairos_with_stdin(
        &database,
        &[
            "user",
            "create",
            "--email",
            "bo@example.com",
            "--name",
            "Bo",
            "--timezone",
            "UTC",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(output.status.success(), "{output:?}");

    let empty = kairos_with_stdin(
        &database,
        &[
            "user",
            "create",
            "--email",
            "cy@example.com",
            "--name",
            "Cy",
            "--timezone",
            "UTC",
            "--password-stdin",
        ],
        Some(""),
    );
    assert_one_line_error(&empty, "--password-stdin");
}

#[tokio::test]
async fn bad_input_gives_one_clear_line_and_a_non_zero_exit() {
    let database = TestDatabase::new().await;
    let user = |email: &str, zone: &str| {
        kairos(
            &database,
            &[
                "user",
                "create",
                "--email",
                email,
                "--name",
                "Ada",
                "--timezone",
                zone,
            ],
        )
    };
    assert_one_line_error(
        &user("ada@example.com", "Mars/Olympus"),
        "unknown timezone `Mars/Olympus`",
    );
    assert_one_line_error(&user("not-an-email", "UTC"), "--email");
    assert!(user("ada@example.com", "UTC").status.success());
    assert_one_line_error(&user("ada@example.com", "UTC"), "already exists");
    assert_one_line_error(
        &kairos(
            &database,
            &["api-key", "create", "--email", "nobody@example.com"],
        ),
        "no user with email nobody@example.com",
    );
    assert_one_line_error(
        &kairos(
            &database,
            &[
                "api-key",
                "revoke",
                "--email",
                "ada@example.com",
                "--id",
                "999",
            ],
        ),
        "no active API key with id 999",
    );
}

#[tokio::test]
async fn malformed_configuration_is_reported_in_one_line() {
    let database = TestDatabase::new().await;
    let run = |name: &str, value: &str| {
        Command::new(kairos_binary())
            .arg("migrate")
            .envs(database.env())
            .env(name, value)
            .current_dir(database.dir.path())
            .output()
            .unwrap()
    };
    assert_one_line_error(
        &run("KAIROS_DATABASE_URL", "mysql://localhost/kairos"),
        "KAIROS_DATABASE_URL",
    );
    assert_one_line_error(&run("KAIROS_BIND", "no-port"), "KAIROS_BIND");
    assert_one_line_error(&run("KAIROS_LOG_FORMAT", "xml"), "xml");
    assert_one_line_error(
        &run("KAIROS_BASE_URL", "cal.example.com"),
        "KAIROS_BASE_URL",
    );

    std::fs::write(database.dir.path().join("broken.toml"), "bind = [").unwrap();
    let broken = Command::new(kairos_binary())
        .args(["--config", "broken.toml", "migrate"])
        .envs(database.env())
        .current_dir(database.dir.path())
        .output()
        .unwrap();
    assert_one_line_error(&broken, "broken.toml");
}

#[tokio::test]
async fn a_port_in_use_is_reported_and_the_environment_overrides_the_file() {
    let database = TestDatabase::new().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    std::fs::write(
        database.dir.path().join("kairos.toml"),
        format!("bind = \"{address}\"\nlog_level = \"warn\"\n"),
    )
    .unwrap();
    let serve = |extra: Option<(&str, &str)>| {
        let mut command = Command::new(kairos_binary());
        command
            .arg("serve")
            .envs(database.env())
            .current_dir(database.dir.path());
        if let Some((name, value)) = extra {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    // The file's address is taken: one line naming it, exit 1.
    assert_one_line_error(&serve(None), &format!("cannot listen on {address}"));
    // The environment wins over the file.
    assert_one_line_error(&serve(Some(("KAIROS_BIND", "no-port-here"))), "KAIROS_BIND");
}

#[tokio::test]
async fn migrate_applies_once_then_reports_up_to_date() {
    let database = TestDatabase::new().await;
    let first = kairos(&database, &["migrate"]);
    assert!(first.status.success(), "{first:?}");
    assert!(
        text(&first.stdout).starts_with("Applied"),
        "{}",
        text(&first.stdout)
    );
    let second = kairos(&database, &["migrate"]);
    assert_eq!(text(&second.stdout).trim(), "The database is up to date.");
}

#[test]
fn help_lists_every_setting() {
    let output = Command::new(kairos_binary())
        .arg("--help")
        .output()
        .unwrap();
    let help = text(&output.stdout);
    for setting in [
        "KAIROS_DATABASE_URL",
        "KAIROS_BIND",
        "KAIROS_BASE_URL",
        "KAIROS_SECRET_KEY",
        "KAIROS_LOG_FORMAT",
        "KAIROS_DATA_DIR",
        "serve",
        "migrate",
        "api-key",
    ] {
        assert!(help.contains(setting), "--help lacks {setting}:\n{help}");
    }
}
