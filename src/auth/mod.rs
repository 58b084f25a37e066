//! Credentials: argon2id password hashes, API keys and short-lived signed tokens. Plain secrets exist only in memory
//! on their way in or, for a new API key, once on their way out; only hashes are stored.

mod api_key;
mod feed_token;
mod password;
mod token;

pub use api_key::{ApiKeySecret, hash_api_key};
pub use feed_token::{FeedToken, hash_feed_token};
pub use password::{Password, hash_password, verify_password};
pub use token::{Claims, TokenError, TokenSigner};
