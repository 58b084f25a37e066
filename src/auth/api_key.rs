use rand::RngCore;
use sha2::{Digest, Sha256};

/// Cal.com's live-key prefix, so clients that check the shape of a key keep working.
const PREFIX: &str = "cal_live_";

/// A newly generated API key: shown to its owner once, then only its hash exists.
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// 160 random bits, hex-encoded after Cal.com's prefix.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{PREFIX}{}", hex::encode(bytes)))
    }

    /// A key derived from secret material, the same every time: the demo's key survives
    /// restarts without ever being stored in plain text.
    pub fn derive(material: &[u8]) -> Self {
        let digest = Sha256::digest(material);
        Self(format!("{PREFIX}{}", hex::encode(&digest[..20])))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first characters, stored so a person can tell their keys apart.
    pub fn display_prefix(&self) -> String {
        self.0.chars().take(PREFIX.len() + 4).collect()
    }

    pub fn hash(&self) -> String {
        hash_api_key(&self.0)
    }
}

impl std::fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeySecret({}…)", self.display_prefix())
    }
}

/// SHA-256 of the presented key. A fast hash is right here: keys carry 160 random bits, so
/// there is nothing to brute-force, and every API request must look its key up.
pub fn hash_api_key(presented: &str) -> String {
    hex::encode(Sha256::digest(presented.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_hashed() {
        let a = ApiKeySecret::generate();
        let b = ApiKeySecret::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("cal_live_"));
        assert_eq!(a.expose().len(), PREFIX.len() + 40);
        assert_eq!(a.hash(), hash_api_key(a.expose()));
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash().len(), 64);
        assert!(!format!("{a:?}").contains(&a.expose()[PREFIX.len() + 4..]));
    }
}
