//! Webhook request signatures.
//!
//! Owns the two signature schemes a delivery can carry: Cal.com's `X-Cal-Signature-256`
//! (lowercase hex HMAC-SHA256 over the body) and the Standard Webhooks `webhook-signature`
//! (`v1,<base64 HMAC-SHA256>` over `"{id}.{timestamp}.{body}"`). Both sign the exact bytes
//! that go on the wire, so callers must sign the body they send and never re-serialize it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Cal.com still sends `X-Cal-Signature-256` when a subscription has no secret, with this
/// literal value, so receivers that only check for the header's presence keep working.
pub const NO_SECRET: &str = "no-secret-provided";

/// Standard Webhooks secrets are `whsec_` followed by the base64 of the key bytes.
const STANDARD_SECRET_PREFIX: &str = "whsec_";

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The `X-Cal-Signature-256` value: lowercase hex HMAC-SHA256 keyed by the secret's UTF-8
/// bytes over `body`, or [`NO_SECRET`] when the subscription has no (or an empty) secret.
///
/// Cal.com treats an empty secret as no secret (`params.secret ? … : "no-secret-provided"`),
/// so we do too.
pub fn cal_signature(secret: Option<&str>, body: &[u8]) -> String {
    match secret {
        Some(secret) if !secret.is_empty() => hex::encode(hmac_sha256(secret.as_bytes(), &[body])),
        _ => NO_SECRET.to_owned(),
    }
}

/// The key bytes for a Standard Webhooks signature.
///
/// A `whsec_` secret carries its key base64-encoded, as the Standard Webhooks libraries
/// expect. If the part after the prefix is not valid base64 the whole secret is used as a
/// plain key instead: no receiver library could verify such a secret anyway, and signing with
/// something deterministic beats refusing to deliver. Any other secret is used as its UTF-8
/// bytes, which is what receivers without the `whsec_` convention do.
fn standard_key(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix(STANDARD_SECRET_PREFIX)
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// The Standard Webhooks `webhook-signature` value for one delivery:
/// `v1,<base64 HMAC-SHA256 over "{msg_id}.{timestamp}." followed by body>`.
///
/// `timestamp` is Unix seconds and must equal the `webhook-timestamp` header; `msg_id` must
/// equal `webhook-id`.
///
/// Without a secret the signature is computed with an empty key. The header is still sent so
/// every delivery has the same shape and receivers' parsers don't branch on its absence, but
/// such a signature proves nothing: anyone can compute it. Authenticity needs a secret.
pub fn standard_signature(
    secret: Option<&str>,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    let key = secret.map(standard_key).unwrap_or_default();
    let prefix = format!("{msg_id}.{timestamp}.");
    let digest = hmac_sha256(&key, &[prefix.as_bytes(), body]);
    format!("v1,{}", STANDARD.encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "calcom-compat-test-secret";
    const PING: &str = r#"{"triggerEvent":"PING","createdAt":"2030-03-01T12:00:00.000Z","payload":{"type":"Test","title":"Test trigger event"}}"#;
    const EXAMPLES: &str = include_str!("../../tests/fixtures/calcom-webhook-examples.json");

    #[test]
    fn cal_signature_matches_the_ping_vector() {
        assert_eq!(
            cal_signature(Some(SECRET), PING.as_bytes()),
            "e00bd3445509a948da769647b703aff1bfb61e1b3c145db88ae01658dbd7ca88"
        );
    }

    #[test]
    fn cal_signature_matches_the_example_envelopes() {
        let examples: serde_json::Value =
            serde_json::from_str(EXAMPLES).expect("examples file is JSON");
        let expected = [
            (
                "BOOKING_CREATED",
                "d1036426066fe7767a2e5cc4686d221786b1f02f06cb665a3e623528d22c24ed",
            ),
            (
                "BOOKING_RESCHEDULED",
                "4b4ea43aaf71d7b36873a9ea3e978394aaf23e92813cf356779d5f28796ed75d",
            ),
            (
                "BOOKING_CANCELLED",
                "c55a2f0f3962d0e098186ce2f5886d16387821e06ac4719681f34a173ae0cd2e",
            ),
        ];
        for (event, digest) in expected {
            let envelope = &examples[event];
            assert!(
                envelope.is_object(),
                "{event} missing from the examples file"
            );
            let body = serde_json::to_string(envelope).expect("serializable");
            assert_eq!(
                cal_signature(Some(SECRET), body.as_bytes()),
                digest,
                "{event}"
            );
        }
    }

    #[test]
    fn cal_signature_without_secret_is_the_marker() {
        assert_eq!(cal_signature(None, PING.as_bytes()), NO_SECRET);
        assert_eq!(cal_signature(Some(""), PING.as_bytes()), NO_SECRET);
    }

    #[test]
    fn cal_signature_depends_on_every_byte() {
        let with_space = format!("{PING} ");
        assert_ne!(
            cal_signature(Some(SECRET), PING.as_bytes()),
            cal_signature(Some(SECRET), with_space.as_bytes())
        );
    }

    #[test]
    fn standard_signature_matches_the_specification_vector() {
        // The test vector published with the Standard Webhooks reference libraries.
        assert_eq!(
            standard_signature(
                Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#,
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    // Expected values below were computed with Python's hmac/hashlib/base64.
    const MSG_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
    const TIMESTAMP: i64 = 1_614_265_330;

    #[test]
    fn standard_signature_with_whsec_secret() {
        assert_eq!(
            standard_signature(
                Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                MSG_ID,
                TIMESTAMP,
                PING.as_bytes()
            ),
            "v1,CiUeMui9FzF9hOr/khhsP/THxRW4b8cQZHvwU+ajQpw="
        );
    }

    #[test]
    fn standard_signature_with_plain_secret_uses_its_bytes() {
        assert_eq!(
            standard_signature(Some(SECRET), MSG_ID, TIMESTAMP, PING.as_bytes()),
            "v1,lYrvcFNH7PsWIZvDoseu8YF6+rKRYbRWKU7xj4tLzu4="
        );
    }

    #[test]
    fn standard_signature_with_undecodable_whsec_secret_uses_its_bytes() {
        let secret = "whsec_not*base64!";
        assert_eq!(
            standard_signature(Some(secret), MSG_ID, TIMESTAMP, PING.as_bytes()),
            "v1,t01aZBDfYEQnykIU9AER8ofsuio9MADDjBg1NLm4A2E="
        );
    }

    #[test]
    fn standard_signature_without_secret_uses_an_empty_key() {
        let expected = "v1,98uwB1QU/8KVFepG16Ruau9xkhC4lSv75cnCfGpESmU=";
        assert_eq!(
            standard_signature(None, MSG_ID, TIMESTAMP, PING.as_bytes()),
            expected
        );
        assert_eq!(
            standard_signature(Some(""), MSG_ID, TIMESTAMP, PING.as_bytes()),
            expected
        );
    }
}
