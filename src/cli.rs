//! The command line: `serve` (the default), `migrate`, `demo`, `backup`, `restore`, `user`
//! (create, invite), `api-key`. Every command
//! reads the same configuration. Results go to standard output, logs to standard error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{TimeDelta, Utc};
use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, NewAccount};
use crate::auth::Password;
use crate::config::{Config, ENVIRONMENT_HELP};
use crate::domain::{Email, PersonName, Role, TimeZoneName, Username};
use crate::storage::{DatabaseUrl, Db, PoolOptions, redact_url, run_migrations};
use crate::{Application, demo, telemetry, webhook_vault};

#[derive(Debug, Parser)]
#[command(
    name = "kairos",
    version,
    about = "Kairos: self-hosted scheduling with a Cal.com-compatible API",
    after_help = ENVIRONMENT_HELP
)]
pub struct Cli {
    /// Configuration file (TOML); defaults to ./kairos.toml when it exists
    #[arg(long, global = true, env = "KAIROS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default command)
    Serve {
        /// Seed the demo data first (once; later starts keep it)
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations, then exit
    Migrate,
    /// Seed the demo data and serve: the same as `serve --demo`
    Demo,
    /// Answer a headless availability query: the JSON document of POST /v2/availability/query
    /// in, the same JSON answer out, without a server or a database
    Slots {
        /// The query document; `-` reads standard input
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        /// `range` adds each slot's end
        #[arg(long)]
        format: Option<String>,
        /// Also explain why this instant is or is not a slot (ISO 8601)
        #[arg(long, value_name = "INSTANT")]
        explain: Option<String>,
    },
    /// Copy the SQLite database to FILE while Kairos runs (PostgreSQL: use pg_dump)
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup, after checking it (stop Kairos first)
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace an existing database
        #[arg(long)]
        force: bool,
    },
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API keys
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user with a default Monday-Friday 09:00-17:00 schedule in their timezone
    Create(CreateUser),
    /// Invite a user: creates the account without a password and prints the link (valid for a
    /// week) where they choose one; emailed too when SMTP is configured
    Invite(InviteUser),
}

#[derive(Debug, Args)]
struct InviteUser {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// IANA timezone, e.g. Europe/Berlin
    #[arg(long, default_value = "UTC")]
    timezone: String,
    /// Make the user an administrator
    #[arg(long)]
    admin: bool,
}

#[derive(Debug, Args)]
struct CreateUser {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// IANA timezone, e.g. Europe/Berlin
    #[arg(long)]
    timezone: String,
    /// Booking page name; derived from the email when absent
    #[arg(long)]
    username: Option<String>,
    /// Password for the admin console (prefer --password-stdin: arguments show in `ps`)
    #[arg(long, conflicts_with = "password_stdin")]
    password: Option<String>,
    /// Read the password from standard input
    #[arg(long)]
    password_stdin: bool,
    /// Make the user an administrator
    #[arg(long)]
    admin: bool,
}

#[derive(Debug, Subcommand)]
enum ApiKeyCommand {
    /// Create a key; prints it once, alone on standard output
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Expire the key after this many days (1 to 36500)
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
        expires_in_days: Option<u32>,
    },
    /// Revoke a key by its id (see `api-key list`)
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: i64,
    },
    /// List a user's active keys (never the keys themselves)
    List {
        #[arg(long)]
        email: String,
    },
}

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = || Config::load(cli.config.as_deref());
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config()?, demo).await,
        Command::Demo => serve(config()?, true).await,
        Command::Migrate => migrate(config()?).await,
        Command::Backup { to } => backup(config()?, &to).await,
        Command::Restore { from, force } => restore(&config()?, &from, force),
        Command::User {
            command: UserCommand::Create(args),
        } => create_user(config()?, args).await,
        Command::User {
            command: UserCommand::Invite(args),
        } => invite_user(config()?, args).await,
        Command::ApiKey { command } => api_key(config()?, command).await,
        // Pure computation: no configuration, database or logging involved.
        Command::Slots {
            input,
            format,
            explain,
        } => slots(&input, format, explain),
    }
}

fn slots(input: &Path, format: Option<String>, explain: Option<String>) -> anyhow::Result<()> {
    let bytes = if input == Path::new("-") {
        let mut buffer = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buffer)
            .context("reading the query from standard input")?;
        buffer
    } else {
        std::fs::read(input).with_context(|| format!("reading {}", input.display()))?
    };
    let options = crate::headless::AnswerOptions { format, explain };
    let answer = crate::headless::answer(&bytes, &options, Utc::now())?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&answer)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

async fn serve(config: Config, with_demo: bool) -> anyhow::Result<()> {
    telemetry::init(config.log_format, &config.log_level);
    let app = Application::build(config).await?;
    if with_demo {
        let seeded = demo::seed(app.db(), app.secret_key())
            .await
            .context("seeding the demo")?;
        print_demo(&seeded, app.base_url());
    }
    println!("Kairos listening on http://{}", app.address());
    tracing::info!(address = %app.address(), base_url = app.base_url(), "listening");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

fn print_demo(demo: &demo::Demo, base_url: &str) {
    let key = demo.api_key.expose();
    let state = if demo.seeded_now {
        "created"
    } else {
        "already present"
    };
    println!(
        "Demo data {state}:\n  \
           owner        {owner} (password: {password}), Mon-Fri 09:00-17:00 America/New_York\n  \
           event types  15min, 30min (user {user}); round-robin team {team}/intro with alex and sam\n  \
           API key      {key}\n  \
           book         {base_url}/{user}/30min  (or {base_url}/team/{team}/intro)\n  \
           sign in      {base_url}/auth/login  ({owner} / {password}, an admin)\n  \
           try it       curl -H 'Authorization: Bearer {key}' {base_url}/v2/me",
        owner = demo::OWNER_EMAIL,
        password = demo::PASSWORD,
        user = demo.owner_username,
        team = demo::TEAM_SLUG,
    );
}

/// Migrations, then (with a secret key configured or already in the data directory; none is
/// created here) the sealing of stored secrets that `serve` does at start-up.
async fn migrate(config: Config) -> anyhow::Result<()> {
    telemetry::init(config.log_format, &config.log_level);
    let db = connect(&config)?;
    let applied = match config.existing_secret_key()? {
        Some(key) => crate::migrate(&db, &config, &webhook_vault(&config, &key)).await?,
        None => run_migrations(&db)
            .await
            .with_context(|| format!("migrating {}", redact_url(&config.database_url)))?,
    };
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        println!(
            "Applied {} migration(s): {}",
            applied.len(),
            applied.join(", ")
        );
    }
    Ok(())
}

async fn backup(config: Config, to: &Path) -> anyhow::Result<()> {
    telemetry::init(config.log_format, "warn");
    if let DatabaseUrl::Postgres(_) = config.database() {
        bail!(
            "kairos backup copies SQLite databases; back up PostgreSQL with pg_dump (docs/OPERATIONS.md)"
        );
    }
    let db = connect(&config)?;
    crate::storage::backup::backup(&db, to).await?;
    println!("Backed up the database to {}", to.display());
    Ok(())
}

/// Checks the backup, then puts it in place of the configured SQLite database (its `-wal` and
/// `-shm` go): through a temporary file and a rename, so a failure leaves the old one.
fn restore(config: &Config, from: &Path, force: bool) -> anyhow::Result<()> {
    let DatabaseUrl::Sqlite(target) = config.database() else {
        bail!("kairos restore restores SQLite backups; restore PostgreSQL with pg_restore or psql");
    };
    if target.exists() && !force {
        bail!(
            "{} exists; stop Kairos and pass --force to replace it",
            target.display()
        );
    }
    let applied =
        crate::storage::backup::verify_sqlite_backup(from).map_err(|e| anyhow::anyhow!(e))?;
    let partial = target.with_extension("restoring");
    std::fs::copy(from, &partial)
        .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(
        &partial,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )?;
    for stale in ["-wal", "-shm"] {
        let mut name = target.clone().into_os_string();
        name.push(stale);
        let _ = std::fs::remove_file(name);
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("moving the backup to {}", target.display()))?;
    println!(
        "Restored {} from {} ({applied} migrations applied; start Kairos to apply newer ones)",
        target.display(),
        from.display()
    );
    Ok(())
}

/// A database for one-shot commands, migrated when the configuration allows.
async fn prepared_db(config: &Config) -> anyhow::Result<Db> {
    telemetry::init(config.log_format, "warn");
    let db = connect(config)?;
    if config.auto_migrate {
        run_migrations(&db)
            .await
            .with_context(|| format!("migrating {}", redact_url(&config.database_url)))?;
    }
    Ok(db)
}

fn connect(config: &Config) -> anyhow::Result<Db> {
    let options = PoolOptions {
        max_connections: 2,
        ..PoolOptions::default()
    };
    Ok(Db::connect(&config.database(), &options)?)
}

async fn create_user(config: Config, args: CreateUser) -> anyhow::Result<()> {
    let password = match (&args.password, args.password_stdin) {
        (Some(password), _) => Some(password.clone()),
        (None, true) => Some(read_password_from_stdin()?),
        (None, false) => None,
    };
    let account = NewAccount {
        email: Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?,
        name: PersonName::parse(&args.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?,
        time_zone: TimeZoneName::parse(&args.timezone)
            .map_err(|e| anyhow::anyhow!("--timezone: {e}"))?,
        username: args
            .username
            .as_deref()
            .map(Username::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--username: {e}"))?,
        password: password
            .as_deref()
            .map(Password::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--password: {e}"))?,
        role: if args.admin { Role::Admin } else { Role::User },
    };
    let db = prepared_db(&config).await?;
    let user = accounts::create_user(&db, account).await?;
    println!(
        "Created user {} <{}> (id {}, username {}, timezone {}, role {})",
        user.name, user.email, user.id, user.username, user.time_zone, user.role
    );
    Ok(())
}

/// The account and its invitation link, signed with the key the server signs with.
async fn invite_user(config: Config, args: InviteUser) -> anyhow::Result<()> {
    let account = NewAccount {
        email: Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?,
        name: PersonName::parse(&args.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?,
        time_zone: TimeZoneName::parse(&args.timezone)
            .map_err(|e| anyhow::anyhow!("--timezone: {e}"))?,
        username: None,
        password: None,
        role: if args.admin { Role::Admin } else { Role::User },
    };
    let secret_key = config.resolve_secret_key()?;
    let base_url = match &config.base_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            eprintln!(
                "KAIROS_BASE_URL is not set: the link assumes http://{}",
                config.bind
            );
            format!("http://{}", config.bind)
        }
    };
    let send_email = config.smtp_url.is_some();
    let db = prepared_db(&config).await?;
    let signer = crate::token_signer(&secret_key);
    let (user, link) = crate::sessions::invite(
        &db,
        &signer,
        &base_url,
        None,
        account,
        send_email,
        Utc::now(),
    )
    .await?;
    eprintln!(
        "Invited {} <{}> (id {}, role {}){}. The link works once, for a week:",
        user.name,
        user.email,
        user.id,
        user.role,
        if send_email {
            "; the link is emailed too"
        } else {
            ""
        }
    );
    println!("{link}");
    Ok(())
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("--password-stdin: standard input held no password");
    }
    Ok(password)
}

/// The database and the user `--email` names.
async fn db_and_user(
    config: &Config,
    email: &str,
) -> anyhow::Result<(Db, Email, crate::storage::users::User)> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let db = prepared_db(config).await?;
    let user = accounts::user_by_email(&db, &email).await?;
    Ok((db, email, user))
}

async fn api_key(config: Config, command: ApiKeyCommand) -> anyhow::Result<()> {
    match command {
        ApiKeyCommand::Create {
            email,
            name,
            expires_in_days,
        } => {
            let expires_at = expires_in_days.map(|days| Utc::now() + TimeDelta::days(days.into()));
            let (db, email, user) = db_and_user(&config, &email).await?;
            let (key, secret) = accounts::create_api_key(&db, user.id, &name, expires_at).await?;
            eprintln!(
                "Created API key {} ({}) for {email}. It is shown once; store it now.",
                key.id, key.name
            );
            println!("{}", secret.expose());
        }
        ApiKeyCommand::Revoke { email, id } => {
            let (db, email, user) = db_and_user(&config, &email).await?;
            accounts::revoke_api_key(&db, user.id, id).await?;
            println!("Revoked API key {id} of {email}");
        }
        ApiKeyCommand::List { email } => {
            let (db, _, user) = db_and_user(&config, &email).await?;
            for key in accounts::list_api_keys(&db, user.id).await? {
                println!(
                    "{}\t{}\t{}…\tcreated {}",
                    key.id,
                    key.name,
                    key.prefix,
                    key.created_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
        }
    }
    Ok(())
}
