//! Random secret tokens: the secret part of a published feed's URL, and the console's session
//! cookie. Like API keys, only their SHA-256 is stored; the token itself is shown once.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Characters of a token: 32 random bytes, hex-encoded.
const TOKEN_CHARS: usize = 64;

/// A newly generated feed token.
pub struct SecretToken(String);

impl SecretToken {
    /// 256 random bits: the URL is the only credential a subscribing calendar has.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_CHARS / 2];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(…)")
    }
}

/// The hash a presented token is looked up by; `None` for anything that is not a token's
/// shape, so such a request never reaches the database. A fast hash is right for the same
/// reason as for API keys: 256 random bits leave nothing to brute-force.
pub fn hash_secret_token(presented: &str) -> Option<String> {
    let well_formed = presented.len() == TOKEN_CHARS
        && presented
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then(|| hex::encode(Sha256::digest(presented.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_found_by_their_hash_only_when_well_formed() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(hash_secret_token(a.expose()), Some(a.hash()));
        assert_ne!(a.hash(), b.hash());
        assert!(!format!("{a:?}").contains(a.expose()));
        assert_eq!(hash_secret_token(&a.expose().to_uppercase()), None);
        assert_eq!(hash_secret_token(&a.expose()[1..]), None);
        assert_eq!(hash_secret_token(""), None);
        assert_eq!(hash_secret_token(&"g".repeat(64)), None);
    }
}
