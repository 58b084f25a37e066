//! Proof of work for the hosted booking form, in ALTCHA's protocol (self-hosted, no third
//! party): the page carries a signed challenge, the visitor's browser searches for the number
//! whose hash it is, and the form's `POST` is accepted only with a solution that is signed by
//! this instance, unexpired and not used before. It makes one booking cost a script some CPU
//! time while a person waits about a second.
//!
//! Owns the challenge's format (`challenge = hex(SHA-256(salt ‖ number))`, `signature =
//! hex(HMAC-SHA-256(key, challenge))`, `salt = <random hex>?expires=<unix seconds>`), its
//! verification, and the record of spent solutions (kept in memory, so per instance: a
//! solution can be replayed once on each other instance within its lifetime).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a challenge may be solved and submitted.
pub const LIFETIME_SECONDS: i64 = 20 * 60;

/// Spent solutions kept at most; beyond this, new submissions are refused until some expire,
/// so a flood cannot grow memory without bound.
const MAX_SPENT: usize = 100_000;

/// What the page gives the browser (ALTCHA's challenge JSON).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Challenge {
    pub algorithm: String,
    pub challenge: String,
    pub maxnumber: u64,
    pub salt: String,
    pub signature: String,
}

/// What the browser sends back, base64-encoded JSON (ALTCHA's payload).
#[derive(Debug, Deserialize)]
struct Solution {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

/// Why a solution was refused; each is shown to the visitor as "please try again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    Forged,
    Wrong,
    Expired,
    Replayed,
    Busy,
}

/// The instance's proof-of-work: its key, how hard a challenge is, and what was spent.
pub struct ProofOfWork {
    key: Vec<u8>,
    max_number: u64,
    /// Spent solutions: their signature -> (expiry, the fingerprint of the form they came with).
    spent: Mutex<HashMap<String, (i64, Option<String>)>>,
}

impl ProofOfWork {
    /// `secret` is the instance's secret key; the HMAC key is derived from it with its own
    /// label, so no other use of the secret key can produce a valid challenge signature.
    pub fn new(secret: &str, max_number: u64) -> Self {
        let key = hmac(secret.as_bytes(), b"kairos proof-of-work v1");
        Self {
            key,
            max_number: max_number.max(1),
            spent: Mutex::new(HashMap::new()),
        }
    }

    /// A fresh challenge, valid for [`LIFETIME_SECONDS`] from `now` (Unix seconds).
    pub fn issue(&self, now: i64) -> Challenge {
        let mut random = [0u8; 12];
        rand::rng().fill_bytes(&mut random);
        let number = rand::rng().next_u64() % (self.max_number + 1);
        self.issue_with(&hex::encode(random), number, now)
    }

    fn issue_with(&self, random: &str, number: u64, now: i64) -> Challenge {
        let salt = format!("{random}?expires={}", now + LIFETIME_SECONDS);
        let challenge = hash(&salt, number);
        Challenge {
            algorithm: "SHA-256".into(),
            signature: hex::encode(hmac(&self.key, challenge.as_bytes())),
            challenge,
            maxnumber: self.max_number,
            salt,
        }
    }

    /// Checks a posted solution and spends it: the same solution is refused the second time,
    /// unless it comes with the same `fingerprint` again (a double submit of one form, which
    /// the form's idempotency key answers with the first booking). `None` never repeats.
    pub fn verify(
        &self,
        payload: &str,
        fingerprint: Option<&str>,
        now: i64,
    ) -> Result<(), Refusal> {
        let payload = payload.trim();
        if payload.is_empty() {
            return Err(Refusal::Missing);
        }
        let bytes = STANDARD.decode(payload).map_err(|_| Refusal::Malformed)?;
        let s: Solution = serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)?;
        let expected = hex::encode(hmac(&self.key, s.challenge.as_bytes()));
        if s.algorithm != "SHA-256" || !constant_time_eq(&expected, &s.signature) {
            return Err(Refusal::Forged);
        }
        if hash(&s.salt, s.number) != s.challenge {
            return Err(Refusal::Wrong);
        }
        let expires = expiry(&s.salt).ok_or(Refusal::Malformed)?;
        if expires <= now {
            return Err(Refusal::Expired);
        }
        self.spend(s.signature, expires, fingerprint, now)
    }

    fn spend(
        &self,
        signature: String,
        expires: i64,
        fingerprint: Option<&str>,
        now: i64,
    ) -> Result<(), Refusal> {
        let mut spent = self.spent.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, first)) = spent.get(&signature) {
            return match (first.as_deref(), fingerprint) {
                (Some(a), Some(b)) if a == b => Ok(()),
                _ => Err(Refusal::Replayed),
            };
        }
        if spent.len() >= MAX_SPENT {
            spent.retain(|_, (until, _)| *until > now);
            if spent.len() >= MAX_SPENT {
                return Err(Refusal::Busy);
            }
        }
        spent.insert(signature, (expires, fingerprint.map(str::to_owned)));
        Ok(())
    }
}

/// The `expires` parameter of a salt like `ab12…?expires=1700000000`.
fn expiry(salt: &str) -> Option<i64> {
    let (_, query) = salt.split_once('?')?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "expires")
        .and_then(|(_, v)| v.parse().ok())
}

fn hash(salt: &str, number: u64) -> String {
    hex::encode(Sha256::digest(format!("{salt}{number}").as_bytes()))
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Solves a challenge the way the browser does (tests and tools).
pub fn solve(challenge: &Challenge) -> Option<String> {
    let number =
        (0..=challenge.maxnumber).find(|n| hash(&challenge.salt, *n) == challenge.challenge)?;
    let solution = serde_json::json!({
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "number": number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    });
    Some(STANDARD.encode(solution.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn pow() -> ProofOfWork {
        ProofOfWork::new("an instance secret key of enough length", 1000)
    }

    #[test]
    fn a_solved_challenge_is_accepted_once() {
        let pow = pow();
        let solution = solve(&pow.issue(NOW)).expect("solvable");
        assert_eq!(pow.verify(&solution, None, NOW + 5), Ok(()));
        assert_eq!(pow.verify(&solution, None, NOW + 6), Err(Refusal::Replayed));
    }

    #[test]
    fn only_the_same_form_may_come_again() {
        let pow = pow();
        let solution = solve(&pow.issue(NOW)).unwrap();
        assert_eq!(pow.verify(&solution, Some("form-a"), NOW), Ok(()));
        assert_eq!(pow.verify(&solution, Some("form-a"), NOW), Ok(()));
        assert_eq!(
            pow.verify(&solution, Some("form-b"), NOW),
            Err(Refusal::Replayed)
        );
        assert_eq!(pow.verify(&solution, None, NOW), Err(Refusal::Replayed));
    }

    #[test]
    fn the_hash_matches_altchas_definition() {
        // SHA-256("abc?expires=1" ‖ "7"), computed independently with `sha256sum`.
        assert_eq!(
            hash("abc?expires=1", 7),
            hex::encode(Sha256::digest(b"abc?expires=17"))
        );
        let c = pow().issue_with("abc", 7, NOW);
        assert_eq!(c.salt, format!("abc?expires={}", NOW + LIFETIME_SECONDS));
        assert_eq!(c.challenge, hash(&c.salt, 7));
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let pow = pow();
        let c = pow.issue_with("abc", 7, NOW);
        let good = solve(&c).unwrap();
        assert_eq!(pow.verify("", None, NOW), Err(Refusal::Missing));
        assert_eq!(
            pow.verify("not base64!", None, NOW),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            pow.verify(&good, None, NOW + LIFETIME_SECONDS),
            Err(Refusal::Expired)
        );
        let other = ProofOfWork::new("another instance's secret key entirely", 1000);
        assert_eq!(other.verify(&good, None, NOW), Err(Refusal::Forged));
        let wrong = STANDARD.encode(
            serde_json::json!({"algorithm": "SHA-256", "challenge": c.challenge,
                "number": 8, "salt": c.salt, "signature": c.signature})
            .to_string(),
        );
        assert_eq!(pow.verify(&wrong, None, NOW), Err(Refusal::Wrong));
        // A salt with a later expiry does not hash to the signed challenge.
        let stretched = STANDARD.encode(
            serde_json::json!({"algorithm": "SHA-256", "challenge": c.challenge,
                "number": 7, "salt": "abc?expires=9999999999", "signature": c.signature})
            .to_string(),
        );
        assert_eq!(pow.verify(&stretched, None, NOW), Err(Refusal::Wrong));
    }
}
