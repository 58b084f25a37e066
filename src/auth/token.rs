//! Short-lived signed tokens (JWT, HS256 through `jsonwebtoken`) that carry a claim through a
//! browser round trip: the OAuth `state` of a calendar connection now; password resets and
//! magic links later. Each token names its audience (what it is for) so one kind never passes
//! for another, expires, and carries a random `jti` that the caller spends once
//! (`storage::spent_tokens`) to refuse replays. Pure apart from the random `jti`.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a token says; `sub` is the user it is bound to, `data` whatever else its audience needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub aud: String,
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link has expired; start again")]
    Expired,
    #[error("the link is not valid; start again")]
    Invalid,
}

/// Issues and checks tokens with one key (derived from the instance's secret key).
#[derive(Clone)]
pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(***)")
    }
}

impl TokenSigner {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
        }
    }

    /// A token for `audience`, bound to `subject`, valid for `ttl` from `now`.
    pub fn issue(
        &self,
        audience: &str,
        subject: &str,
        data: Option<String>,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> String {
        let claims = Claims {
            aud: audience.to_owned(),
            sub: subject.to_owned(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            data,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signs any claims that serialise")
    }

    /// The claims of a token for `audience` that is intact and not expired at `now`.
    pub fn verify(
        &self,
        token: &str,
        audience: &str,
        now: DateTime<Utc>,
    ) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience]);
        // Expiry is checked below against the caller's clock, so tests can move time.
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["aud", "sub", "exp"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn a_token_checks_out_for_its_audience_until_it_expires() {
        let signer = TokenSigner::new(&[7; 32]);
        let token = signer.issue(
            "oauth",
            "42",
            Some("google".into()),
            Duration::minutes(10),
            at(0),
        );
        let claims = signer.verify(&token, "oauth", at(599)).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.data.as_deref()),
            ("42", Some("google"))
        );
        assert_eq!(
            signer.verify(&token, "oauth", at(600)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            signer.verify(&token, "reset", at(1)),
            Err(TokenError::Invalid)
        );
        let other = TokenSigner::new(&[8; 32]);
        assert_eq!(
            other.verify(&token, "oauth", at(1)),
            Err(TokenError::Invalid)
        );
        let mut forged = token.clone();
        forged.replace_range(forged.len() - 3.., "AAA");
        assert_eq!(
            signer.verify(&forged, "oauth", at(1)),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn each_token_has_its_own_id() {
        let signer = TokenSigner::new(&[7; 32]);
        let a = signer.issue("oauth", "1", None, Duration::minutes(1), at(0));
        let b = signer.issue("oauth", "1", None, Duration::minutes(1), at(0));
        let jti = |t: &str| signer.verify(t, "oauth", at(1)).unwrap().jti;
        assert_ne!(jti(&a), jti(&b));
    }
}
