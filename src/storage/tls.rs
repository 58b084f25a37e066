//! TLS to PostgreSQL, with rustls (ring): the libpq parameters `sslmode` and `sslrootcert` of
//! `KAIROS_DATABASE_URL`, read here and taken out of the URL before tokio-postgres sees it.
//!
//! - `disable` (and no `sslmode`): plain TCP.
//! - `prefer`, `require`: encrypted without checking the server's certificate (libpq's
//!   meaning), or, with `sslrootcert`, checked against that CA; `prefer` falls back to plain
//!   TCP when the server has no TLS.
//! - `verify-ca`, `verify-full`: the certificate must chain to `sslrootcert` (or, without it,
//!   to the system's roots) and name the host. `verify-ca` is checked as `verify-full`.

use std::sync::Arc;

use diesel::{ConnectionError, ConnectionResult};
use diesel_async::AsyncPgConnection;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// How a PostgreSQL URL asks to be connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTarget {
    /// The URL without `sslrootcert`, `sslmode` mapped to what tokio-postgres knows.
    pub url: String,
    pub mode: Mode,
    pub root_cert: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyFull,
}

impl PgTarget {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut url = url::Url::parse(raw)
            .map_err(|e| format!("database URL is not a valid PostgreSQL URL: {e}"))?;
        let mut mode = Mode::Disable;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "sslmode" => {
                    mode = match value.as_ref() {
                        "disable" => Mode::Disable,
                        "prefer" => Mode::Prefer,
                        "require" => Mode::Require,
                        "verify-ca" | "verify-full" => Mode::VerifyFull,
                        other => {
                            return Err(format!(
                                "sslmode `{other}` is not disable, prefer, require, verify-ca or verify-full"
                            ));
                        }
                    }
                }
                "sslrootcert" => root_cert = Some(value.into_owned()),
                _ => kept.push((key.into_owned(), value.into_owned())),
            }
        }
        let pg_mode = match mode {
            Mode::Disable => "disable",
            Mode::Prefer => "prefer",
            Mode::Require | Mode::VerifyFull => "require",
        };
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("sslmode", pg_mode);
        Ok(Self {
            url: url.to_string(),
            mode,
            root_cert,
        })
    }

    /// The rustls configuration, or `None` for plain TCP. Reads the CA file or the system's
    /// roots, so a missing file is reported when the pool is built.
    pub fn client_config(&self) -> Result<Option<Arc<ClientConfig>>, String> {
        if self.mode == Mode::Disable {
            return Ok(None);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let config = if self.root_cert.is_none() && self.mode != Mode::VerifyFull {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(self.roots()?)
                .with_no_client_auth()
        };
        Ok(Some(Arc::new(config)))
    }

    fn roots(&self) -> Result<RootCertStore, String> {
        let mut roots = RootCertStore::empty();
        let certs: Vec<CertificateDer<'static>> = match &self.root_cert {
            Some(path) => CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<_, _>>())
                .map_err(|e| format!("sslrootcert {path}: {e}"))?,
            None => rustls_native_certs::load_native_certs().certs,
        };
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(match &self.root_cert {
                Some(path) => format!("sslrootcert {path} holds no certificate"),
                None => "no system root certificates found; give sslrootcert=FILE".to_owned(),
            });
        }
        Ok(roots)
    }
}

/// Opens one connection, over TLS when `tls` is given.
pub async fn connect(
    url: String,
    tls: Option<Arc<ClientConfig>>,
) -> ConnectionResult<AsyncPgConnection> {
    use diesel_async::AsyncConnection;
    let Some(tls) = tls else {
        return AsyncPgConnection::establish(&url).await;
    };
    let connector = tokio_postgres_rustls::MakeRustlsConnect::new((*tls).clone());
    let (client, connection) = tokio_postgres::connect(&url, connector)
        .await
        .map_err(|e| ConnectionError::BadConnection(describe(&e)))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// The error with its causes (a refused certificate is a cause of the handshake's error).
fn describe(e: &tokio_postgres::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out = format!("{out}: {s}");
        source = s.source();
    }
    out
}

/// `prefer`/`require` without a CA: encryption without authentication, as libpq does. The
/// handshake's signatures are still checked.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_read_and_taken_out_of_the_url() {
        let t = PgTarget::parse(
            "postgres://k@db/k?sslmode=verify-full&sslrootcert=/ca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(t.mode, Mode::VerifyFull);
        assert_eq!(t.root_cert.as_deref(), Some("/ca.pem"));
        assert_eq!(
            t.url,
            "postgres://k@db/k?application_name=x&sslmode=require"
        );
        assert_eq!(
            PgTarget::parse("postgres://k@db/k").unwrap().mode,
            Mode::Disable
        );
        let refused = PgTarget::parse("postgres://k@db/k?sslmode=allow").unwrap_err();
        assert!(refused.contains("sslmode `allow`"), "{refused}");
    }
}
