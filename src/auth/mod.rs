//! Credentials: argon2id password hashes, API keys and short-lived signed tokens. Plain secrets exist only in memory
//! on their way in or, for a new API key, once on their way out; only hashes are stored.

mod api_key;
mod password;
mod secret_token;
mod token;

pub use api_key::{ApiKeySecret, hash_api_key};
pub use password::{Password, hash_password, verify_password};
pub use secret_token::{SecretToken, hash_secret_token};
pub use token::{Claims, TokenError, TokenSigner};
