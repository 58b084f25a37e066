//! Credentials: argon2id password hashes and API keys. Plain secrets exist only in memory
//! on their way in or, for a new API key, once on their way out; only hashes are stored.

mod api_key;
mod password;

pub use api_key::{ApiKeySecret, hash_api_key};
pub use password::{Password, hash_password, verify_password};
