//! TLS to PostgreSQL: a PostgreSQL started here with a certificate from a CA made here, and
//! Kairos connecting with each `sslmode`. Needs PostgreSQL's server binaries (CI installs
//! them); the test fails, not skips, without them.

use std::path::{Path, PathBuf};
use std::process::Command;

use kairos::storage::{DatabaseUrl, Db, PoolOptions, run_migrations};

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`, or `$PG_BIN`.
fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql (or set PG_BIN)")
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|p| {
        let version = p.parent().and_then(|v| v.file_name()).unwrap_or_default();
        version.to_string_lossy().parse::<u32>().unwrap_or(0)
    });
    found.pop().expect("initdb under /usr/lib/postgresql/*/bin")
}

/// Runs `program args`, as the `postgres` user when this process is root (initdb refuses
/// root); panics with its output when it fails.
fn run(as_postgres: bool, program: &Path, args: &[&str]) {
    let mut command = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = command.args(args).output().expect("command starts");
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A CA, and a certificate for 127.0.0.1 and localhost signed by it.
fn make_certificates(dir: &Path) {
    let openssl = Path::new("openssl");
    let at = |name: &str| dir.join(name).display().to_string();
    run(
        false,
        openssl,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Kairos Test CA",
            "-keyout",
            &at("ca.key"),
            "-out",
            &at("ca.crt"),
        ],
    );
    run(
        false,
        openssl,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            &at("server.key"),
            "-out",
            &at("server.csr"),
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(
        false,
        openssl,
        &[
            "x509",
            "-req",
            "-in",
            &at("server.csr"),
            "-CA",
            &at("ca.crt"),
            "-CAkey",
            &at("ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &at("ext.cnf"),
            "-out",
            &at("server.crt"),
        ],
    );
}

/// A PostgreSQL server with TLS on a free port, stopped when dropped.
struct TlsPostgres {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    port: u16,
    dir: tempfile::TempDir,
}

impl TlsPostgres {
    fn start() -> Self {
        let bin = pg_bin();
        let as_postgres = is_root();
        let dir = tempfile::tempdir().unwrap();
        make_certificates(dir.path());
        if as_postgres {
            run(
                false,
                Path::new("chown"),
                &["-R", "postgres", &dir.path().display().to_string()],
            );
        }
        std::fs::set_permissions(
            dir.path().join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        let data = dir.path().join("pgdata");
        let data_arg = data.display().to_string();
        run(
            as_postgres,
            &bin.join("initdb"),
            &[
                "-D",
                &data_arg,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let at = |name: &str| dir.path().join(name).display().to_string();
        let options = format!(
            "-p {port} -k {socket} -c listen_addresses=127.0.0.1 -c ssl=on \
             -c ssl_cert_file={cert} -c ssl_key_file={key} -c fsync=off",
            socket = dir.path().display(),
            cert = at("server.crt"),
            key = at("server.key"),
        );
        let log = at("server.log");
        let server = Self {
            bin,
            data,
            as_postgres,
            port,
            dir,
        };
        run(
            as_postgres,
            &server.bin.join("pg_ctl"),
            &["start", "-w", "-D", &data_arg, "-l", &log, "-o", &options],
        );
        server
    }

    fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{query}",
            self.port
        )
    }

    fn ca(&self) -> String {
        self.dir.path().join("ca.crt").display().to_string()
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let _ = Command::new(if self.as_postgres { "runuser" } else { "true" })
            .args(if self.as_postgres {
                vec!["-u", "postgres", "--"]
            } else {
                vec![]
            })
            .arg(self.bin.join("pg_ctl"))
            .args(["stop", "-m", "immediate", "-D", &data])
            .output();
    }
}

fn connect(url: &str) -> Db {
    let url = DatabaseUrl::parse(url).expect("valid URL");
    Db::connect(&url, &PoolOptions::default()).expect("pool builds")
}

/// Whether the connection serving a query is encrypted, as the server sees it.
async fn encrypted(db: &Db) -> Result<bool, String> {
    db.count_rows("SELECT 1 FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl")
        .await
        .map(|n| n == 1)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn kairos_connects_to_postgresql_over_tls_and_checks_the_certificate() {
    let server = TlsPostgres::start();

    let verified =
        connect(&server.url(&format!("sslmode=verify-full&sslrootcert={}", server.ca())));
    assert_eq!(encrypted(&verified).await, Ok(true));
    run_migrations(&verified)
        .await
        .expect("migrations run over TLS");

    // The system's roots do not know the test CA: refused, with the reason.
    let unknown = connect(&server.url("sslmode=verify-full"));
    let refused = encrypted(&unknown).await.unwrap_err();
    assert!(refused.contains("certificate"), "{refused}");

    let required = connect(&server.url("sslmode=require"));
    assert_eq!(encrypted(&required).await, Ok(true));
    let plain = connect(&server.url("sslmode=disable"));
    assert_eq!(encrypted(&plain).await, Ok(false));
}
