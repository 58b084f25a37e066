//! OAuth 2 for calendar providers (Google, Microsoft identity), through the `oauth2` crate: the
//! authorization URL a host is sent to, the code exchange when they come back, and the refresh
//! that keeps an access token current. The endpoints are configuration, so tests point them at
//! local fake servers. A refusal of the grant (`invalid_grant`, a revoked consent) is
//! `ProviderError::Unauthorized`, which marks the connection invalid; anything else is retried.

use chrono::{DateTime, Duration, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicRequestTokenError};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpClientError, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};

use super::provider::{Account, Credentials, ProviderError};
use crate::secret::Secret;

/// How long before its expiry an access token is renewed.
const REFRESH_MARGIN: Duration = Duration::seconds(60);

/// A provider's OAuth application: the operator's client id and secret and the provider's
/// endpoints.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: Secret,
    pub auth_url: String,
    pub token_url: String,
    /// Where a token is revoked on disconnect, if the provider has such an endpoint.
    pub revoke_url: Option<String>,
    pub scopes: Vec<String>,
    /// Extra authorization parameters (Google: `access_type=offline`, `prompt=consent`).
    pub auth_params: Vec<(String, String)>,
}

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

impl OAuthApp {
    fn client(&self, redirect: &str) -> Result<Client, ProviderError> {
        let bad = |what: &str, e: url::ParseError| {
            ProviderError::Invalid(format!("the OAuth {what} URL is not valid: {e}"))
        };
        Ok(BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.client_secret.expose().to_owned()))
            // Both Google and Microsoft take the secret in the body; Microsoft requires it.
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(self.auth_url.clone()).map_err(|e| bad("authorization", e))?)
            .set_token_uri(TokenUrl::new(self.token_url.clone()).map_err(|e| bad("token", e))?)
            .set_redirect_uri(
                RedirectUrl::new(redirect.to_owned()).map_err(|e| bad("redirect", e))?,
            ))
    }

    /// The provider's consent page for this app, coming back to `redirect` with `state`.
    pub fn authorize_url(&self, redirect: &str, state: &str) -> Result<String, ProviderError> {
        let client = self.client(redirect)?;
        let state = state.to_owned();
        let mut request = client.authorize_url(move || CsrfToken::new(state));
        for scope in &self.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for (name, value) in &self.auth_params {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        Ok(request.url().0.to_string())
    }

    /// Trades the authorization code the host came back with for tokens.
    pub async fn exchange(
        &self,
        http: &reqwest::Client,
        redirect: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Credentials, ProviderError> {
        let token = self
            .client(redirect)?
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(http)
            .await
            .map_err(token_error)?;
        Ok(credentials(&token, None, now))
    }

    /// New credentials from a refresh token; a provider that sends no new refresh token
    /// keeps the old one valid.
    pub async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Credentials, ProviderError> {
        // The redirect URI is not part of a refresh; any valid URL does.
        let token = self
            .client("http://localhost/")?
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(http)
            .await
            .map_err(token_error)?;
        Ok(credentials(&token, Some(refresh_token), now))
    }

    /// The account's access token, refreshed first when it expires within a minute (the
    /// account then holds the new credentials; the caller stores them).
    pub async fn access_token(
        &self,
        http: &reqwest::Client,
        account: &mut Account,
        now: DateTime<Utc>,
    ) -> Result<String, ProviderError> {
        let Credentials::OAuth {
            access_token,
            refresh_token,
            expires_at,
        } = &account.credentials
        else {
            return Err(ProviderError::Unauthorized(
                "the connection has no OAuth token".into(),
            ));
        };
        let fresh = expires_at.is_none_or(|at| at - REFRESH_MARGIN > now);
        if fresh {
            return Ok(access_token.clone());
        }
        let Some(refresh_token) = refresh_token.clone() else {
            return Err(ProviderError::Unauthorized(
                "the access token expired and there is no refresh token; connect again".into(),
            ));
        };
        account.credentials = self.refresh(http, &refresh_token, now).await?;
        match &account.credentials {
            Credentials::OAuth { access_token, .. } => Ok(access_token.clone()),
            _ => unreachable!("refresh returns OAuth credentials"),
        }
    }

    /// Revokes `token` at the provider (RFC 7009 form post), when it has an endpoint for it.
    pub async fn revoke(&self, http: &reqwest::Client, token: &str) -> Result<(), ProviderError> {
        let Some(url) = &self.revoke_url else {
            return Ok(());
        };
        let response = http
            .post(url)
            .form(&[("token", token)])
            .send()
            .await
            .map_err(|e| ProviderError::Unavailable(format!("revoking the token: {e}")))?;
        match response.status().as_u16() {
            200..=299 | 400 => Ok(()), // 400: already invalid, which is what was wanted
            status => Err(ProviderError::Unavailable(format!(
                "revoking the token answered {status}"
            ))),
        }
    }
}

fn credentials(
    token: &oauth2::basic::BasicTokenResponse,
    previous_refresh: Option<&str>,
    now: DateTime<Utc>,
) -> Credentials {
    Credentials::OAuth {
        access_token: token.access_token().secret().clone(),
        refresh_token: token
            .refresh_token()
            .map(|t| t.secret().clone())
            .or_else(|| previous_refresh.map(str::to_owned)),
        expires_at: token
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .map(|d| now + d),
    }
}

fn token_error(error: BasicRequestTokenError<HttpClientError<reqwest::Error>>) -> ProviderError {
    use oauth2::RequestTokenError as E;
    match error {
        E::ServerResponse(response) => match response.error() {
            BasicErrorResponseType::InvalidGrant
            | BasicErrorResponseType::InvalidClient
            | BasicErrorResponseType::UnauthorizedClient => ProviderError::Unauthorized(format!(
                "the provider refused the grant ({})",
                response.error()
            )),
            other => ProviderError::Invalid(format!("the token endpoint answered `{other}`")),
        },
        E::Request(e) => ProviderError::Unavailable(format!("the token endpoint: {e}")),
        E::Parse(_, _) | E::Other(_) => {
            ProviderError::Unavailable("the token endpoint answered something unreadable".into())
        }
    }
}

/// The operator's Google app, when configured: offline access (a refresh token), consent
/// asked every time (so a reconnect yields a refresh token again).
pub fn google_app(config: &crate::config::Config) -> Option<OAuthApp> {
    Some(OAuthApp {
        client_id: config.google_client_id.clone()?,
        client_secret: config.google_client_secret.clone()?,
        auth_url: config.google_auth_url.clone(),
        token_url: config.google_token_url.clone(),
        revoke_url: Some(config.google_revoke_url.clone()),
        scopes: vec![
            "https://www.googleapis.com/auth/calendar.readonly".into(),
            "https://www.googleapis.com/auth/calendar.events".into(),
        ],
        auth_params: vec![
            ("access_type".into(), "offline".into()),
            ("prompt".into(), "consent".into()),
        ],
    })
}

/// The operator's Microsoft identity app, when configured (`offline_access` yields a refresh
/// token). Microsoft has no token revocation endpoint for this flow.
pub fn microsoft_app(config: &crate::config::Config) -> Option<OAuthApp> {
    Some(OAuthApp {
        client_id: config.microsoft_client_id.clone()?,
        client_secret: config.microsoft_client_secret.clone()?,
        auth_url: config.microsoft_auth_url.clone(),
        token_url: config.microsoft_token_url.clone(),
        revoke_url: None,
        scopes: vec![
            "offline_access".into(),
            "User.Read".into(),
            "Calendars.ReadWrite".into(),
            "OnlineMeetings.ReadWrite".into(),
        ],
        auth_params: Vec::new(),
    })
}
