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
async fn an_invitation_from_the_command_line_opens_on_the_server() {
    let database = TestDatabase::new().await;
    let invited = kairos(
        &database,
        &[
            "user",
            "invite",
            "--email",
            "root@example.com",
            "--name",
            "Root Admin",
            "--admin",
        ],
    );
    assert!(invited.status.success(), "{invited:?}");
    let stdout = text(&invited.stdout);
    assert_eq!(stdout.lines().count(), 1, "the link alone: {stdout}");
    let link = stdout.trim();
    let path = &link[link.find("/auth/accept-invite?token=").expect(link)..];

    // The server reads the secret key the command wrote, as a fresh install would.
    let mut config = database.config();
    config.secret_key = None;
    let app = spawn_app_with(config, database).await;
    let mut visitor = crate::console::Visitor::new(&app);
    let token = crate::console::token_of(path);
    let done = visitor
        .submit(
            path,
            "/auth/accept-invite",
            &[("token", &token), ("password", "root's password")],
        )
        .await;
    assert_eq!(done.status(), 303);
    visitor.page("/settings/admin", 200).await;
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

/// `kairos` with `KAIROS_DATABASE_URL` pointing at the SQLite file `db`.
async fn kairos_on(database: &TestDatabase, db: &std::path::Path, args: &[&str]) -> Output {
    let env: Vec<(String, String)> = database
        .env()
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "KAIROS_DATABASE_URL" => (k, format!("sqlite://{}", db.display())),
            _ => (k, v),
        })
        .collect();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(kairos_binary())
            .args(&args)
            .envs(env)
            .stdin(Stdio::null())
            .output()
            .expect("kairos runs")
    })
    .await
    .unwrap()
}

/// Books `count` half-hour slots of `event`, one after another, from slot `first`.
async fn book_slots(app: &crate::helpers::TestApp, event: i64, first: i64, count: i64) {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(10);
    for n in first..first + count {
        let at = day.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(30 * n);
        let body = serde_json::json!({"eventTypeId": event,
            "start": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "attendee": {"name": "Grace Booker", "email": format!("g{n}@booker.example"),
                "timeZone": "UTC"},
            "guests": [format!("guest{n}@booker.example")]});
        let response = app
            .call(reqwest::Method::POST, "/v2/bookings", None, Some(body))
            .await;
        assert_eq!(response.status().as_u16(), 201);
    }
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_to_a_consistent_database() {
    let database = TestDatabase::new().await;
    let backup = database.dir.path().join("backup.db");
    let backup_arg = backup.display().to_string();
    if database.is_postgres() {
        let refused = kairos(&database, &["backup", "--to", &backup_arg]);
        assert_one_line_error(&refused, "pg_dump");
        return;
    }
    let app = spawn_app_with(database.config(), database.alias()).await;
    let (_, key) = crate::event_types::person(&app, "ada@host.example", "UTC").await;
    let body = serde_json::json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30});
    let event = crate::helpers::always_bookable(&app, &key, body).await;
    book_slots(&app, event, 0, 5).await;

    // Two writers keep booking while the backup is taken.
    let load = async {
        tokio::join!(
            book_slots(&app, event, 10, 20),
            book_slots(&app, event, 40, 20)
        )
    };
    let copy = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        kairos_beside_app(&database, &["backup", "--to", &backup_arg]).await
    };
    let (_, copied) = tokio::join!(load, copy);
    assert!(copied.status.success(), "{copied:?}");
    let again = kairos_beside_app(&database, &["backup", "--to", &backup_arg]).await;
    assert_one_line_error(&again, "already exists");

    let restored = database.dir.path().join("restored.db");
    let out = kairos_on(&database, &restored, &["restore", "--from", &backup_arg]).await;
    assert!(out.status.success(), "{out:?}");
    let out = kairos_on(&database, &restored, &["restore", "--from", &backup_arg]).await;
    assert_one_line_error(&out, "--force");
    let junk = database.dir.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let junk_arg = junk.display().to_string();
    let out = kairos_on(
        &database,
        &restored,
        &["restore", "--force", "--from", &junk_arg],
    )
    .await;
    assert_one_line_error(&out, "junk.db");

    let mut config = database.config();
    config.database_url = format!("sqlite://{}", restored.display());
    let copy = spawn_app_with(config, database.alias()).await;
    let count = |sql: &'static str| copy.db.count_rows(sql);
    assert_eq!(
        count("SELECT 1 FROM pragma_integrity_check WHERE integrity_check = 'ok'")
            .await
            .unwrap(),
        1
    );
    let bookings = count("SELECT id FROM bookings").await.unwrap();
    assert!(bookings >= 5, "{bookings}");
    let incomplete = "SELECT id FROM bookings b WHERE \
        (SELECT COUNT(*) FROM attendees a WHERE a.booking_id = b.id) <> 2 \
        OR NOT EXISTS (SELECT 1 FROM booking_claims c WHERE c.booking_id = b.id)";
    assert_eq!(count(incomplete).await.unwrap(), 0);
    let listed = copy
        .call(
            reqwest::Method::GET,
            "/v2/bookings?take=100",
            Some(&key),
            None,
        )
        .await;
    let listed = crate::helpers::data(listed, 200).await;
    assert_eq!(listed.as_array().unwrap().len() as i64, bookings);
}
