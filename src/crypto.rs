//! Secrets at rest: values the database keeps but must not hold readable (webhook signing
//! secrets now, calendar OAuth tokens next) are sealed with a key derived from the instance's
//! secret key (`KAIROS_SECRET_KEY` or `<data dir>/secret.key`).
//!
//! Each purpose gets its own 256-bit key: HKDF-SHA256 over the secret key with the purpose as
//! label. A value is sealed with XChaCha20-Poly1305 under a fresh random 192-bit nonce and
//! stored as `v1:<key id>:<base64 of nonce and ciphertext>`. The key id (8 hex digits, derived
//! from the secret key, revealing nothing of it) names which secret key sealed the value, so
//! after a rotation the values still sealed with the previous key are found and sealed again.
//! A value written before encryption existed was marked `p:<plaintext>` by the migration that
//! introduced this; it still opens, and start-up seals it.
//!
//! Plain data and pure functions apart from the random nonce: no IO, no storage.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

use crate::secret::Secret;

const SEALED: &str = "v1:";
const LEGACY_PLAINTEXT: &str = "p:";
const NONCE_LEN: usize = 24;

/// What a sealed value is for: the HKDF label of its key. Values of one purpose never open
/// with another's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose(&'static str);

impl Purpose {
    /// The signing secrets of webhook subscriptions (`webhooks.secret`).
    pub const WEBHOOK_SECRET: Self = Self("kairos/webhook-secret/v1");
    /// Reserved for calendar connections' OAuth tokens.
    pub const CALENDAR_TOKEN: Self = Self("kairos/calendar-token/v1");
    /// The signing key of short-lived tokens (`auth::TokenSigner`).
    pub const SIGNED_TOKEN: Self = Self("kairos/signed-token/v1");
}

/// A 256-bit key for `purpose`, derived from the secret key (HKDF-SHA256, as the vault's).
pub fn derive_key(secret: &Secret, purpose: Purpose) -> [u8; 32] {
    let hkdf = Hkdf::<Sha256>::new(None, secret.expose().as_bytes());
    let mut key = [0u8; 32];
    hkdf.expand(purpose.0.as_bytes(), &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "the value was sealed with another secret key (key id {0}); set that key as \
         KAIROS_SECRET_KEY or KAIROS_SECRET_KEY_PREVIOUS, or set the value again"
    )]
    UnknownKey(String),
    #[error("the sealed value is damaged or was altered")]
    Damaged,
    #[error("the stored value is neither sealed (v1:) nor marked as plaintext (p:)")]
    Unrecognised,
}

/// One derived key and its id.
struct SealKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl SealKey {
    fn derive(secret: &Secret, purpose: Purpose) -> Self {
        let key = derive_key(secret, purpose);
        let hkdf = Hkdf::<Sha256>::new(None, secret.expose().as_bytes());
        let mut id = [0u8; 4];
        hkdf.expand(b"kairos/key-id", &mut id)
            .expect("4 bytes is a valid HKDF-SHA256 length");
        Self {
            id: hex::encode(id),
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }
}

/// Seals and opens the values of one purpose: sealing with the current secret key, opening
/// with it or with the previous one (during a rotation).
pub struct Vault {
    current: SealKey,
    previous: Option<SealKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault(key id {})", self.current.id)
    }
}

impl Vault {
    pub fn new(purpose: Purpose, current: &Secret, previous: Option<&Secret>) -> Self {
        Self {
            current: SealKey::derive(current, purpose),
            previous: previous.map(|p| SealKey::derive(p, purpose)),
        }
    }

    /// `v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`, with a fresh random nonce.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(&XNonce::from(nonce), plaintext.as_bytes())
            .expect("XChaCha20-Poly1305 encrypts any length a string can have");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED}{}:{}", self.current.id, STANDARD.encode(bytes))
    }

    /// The plaintext of a stored value: sealed with the current or the previous key, or
    /// marked as not yet sealed.
    pub fn open(&self, stored: &str) -> Result<String, CryptoError> {
        if let Some(plain) = stored.strip_prefix(LEGACY_PLAINTEXT) {
            return Ok(plain.to_owned());
        }
        let (id, payload) = stored
            .strip_prefix(SEALED)
            .and_then(|rest| rest.split_once(':'))
            .ok_or(CryptoError::Unrecognised)?;
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.id == id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        let bytes = STANDARD.decode(payload).map_err(|_| CryptoError::Damaged)?;
        if bytes.len() < NONCE_LEN {
            return Err(CryptoError::Damaged);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| CryptoError::Damaged)?;
        let plain = key
            .cipher
            .decrypt(&nonce, sealed)
            .map_err(|_| CryptoError::Damaged)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Damaged)
    }

    /// Whether a stored value should be sealed again with the current key: it is still
    /// plaintext, or it was sealed with another key.
    pub fn is_stale(&self, stored: &str) -> bool {
        match stored.strip_prefix(SEALED).and_then(|r| r.split_once(':')) {
            Some((id, _)) => id != self.current.id,
            None => stored.starts_with(LEGACY_PLAINTEXT),
        }
    }

    /// The current key's id (as it appears in sealed values).
    pub fn key_id(&self) -> &str {
        &self.current.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Secret {
        Secret::new(format!("{s}-0123456789abcdef0123456789abcdef"))
    }

    #[test]
    fn a_sealed_value_opens_and_hides_the_plaintext() {
        let vault = Vault::new(Purpose::WEBHOOK_SECRET, &key("a"), None);
        let sealed = vault.seal("s3cr3t-signing-key");
        assert!(
            sealed.starts_with(&format!("v1:{}:", vault.key_id())),
            "{sealed}"
        );
        assert!(!sealed.contains("s3cr3t"));
        assert_ne!(
            sealed,
            vault.seal("s3cr3t-signing-key"),
            "a fresh nonce each time"
        );
        assert_eq!(vault.open(&sealed).unwrap(), "s3cr3t-signing-key");
        assert!(!vault.is_stale(&sealed));
    }

    #[test]
    fn other_keys_and_purposes_do_not_open_it_and_tampering_is_caught() {
        let vault = Vault::new(Purpose::WEBHOOK_SECRET, &key("a"), None);
        let sealed = vault.seal("value");
        let other = Vault::new(Purpose::WEBHOOK_SECRET, &key("b"), None);
        assert!(matches!(
            other.open(&sealed),
            Err(CryptoError::UnknownKey(_))
        ));
        let calendar = Vault::new(Purpose::CALENDAR_TOKEN, &key("a"), None);
        assert_eq!(calendar.open(&sealed), Err(CryptoError::Damaged));
        let mut tampered = sealed.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(vault.open(&tampered).is_err());
        assert_eq!(vault.open("hunter2"), Err(CryptoError::Unrecognised));
    }

    #[test]
    fn the_previous_key_opens_during_a_rotation_and_marks_values_stale() {
        let old = Vault::new(Purpose::WEBHOOK_SECRET, &key("old"), None);
        let sealed = old.seal("value");
        let rotated = Vault::new(Purpose::WEBHOOK_SECRET, &key("new"), Some(&key("old")));
        assert_eq!(rotated.open(&sealed).unwrap(), "value");
        assert!(rotated.is_stale(&sealed));
        assert!(!rotated.is_stale(&rotated.seal("value")));
    }

    #[test]
    fn values_marked_as_plaintext_open_as_they_are_and_are_stale() {
        let vault = Vault::new(Purpose::WEBHOOK_SECRET, &key("a"), None);
        assert_eq!(vault.open("p:v1:looks-sealed").unwrap(), "v1:looks-sealed");
        assert!(vault.is_stale("p:anything"));
    }
}
