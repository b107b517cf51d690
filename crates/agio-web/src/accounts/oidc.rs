//! Sign-in with an external OpenID Connect provider (the way a regional identity gateway brings
//! SPID/CIE identities): authorization code flow with PKCE (S256), state and nonce; the ID
//! token's signature, issuer, audience, expiry and nonce are verified by `openidconnect`.
//!
//! HTTP to the provider goes through hyper (already in the tree with axum) with rustls: no
//! redirects followed, a timeout and a body limit on every call.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
};

const TIMEOUT: Duration = Duration::from_secs(10);
/// Discovery documents, key sets and token answers are small.
const MAX_BODY: usize = 1 << 20;

/// What `agio serve` is told about the provider.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The name of the button ("SPID / CIE", say).
    pub label: String,
}

/// The HTTP client `openidconnect` calls for discovery, keys and tokens.
#[derive(Clone)]
struct OidcHttp {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

#[derive(Debug, thiserror::Error)]
enum OidcHttpError {
    #[error("request failed: {0}")]
    Request(#[from] hyper_util::client::legacy::Error),
    #[error("reading the answer failed: {0}")]
    Body(Box<dyn std::error::Error + Send + Sync>),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

impl OidcHttp {
    fn new() -> anyhow::Result<OidcHttp> {
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
            // http is accepted for loopback test providers; production issuers are https.
            .https_or_http()
            .enable_http1()
            .build();
        Ok(OidcHttp { inner: Client::builder(TokioExecutor::new()).build(https) })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, OidcHttpError> {
        let (parts, body) = request.into_parts();
        let request = openidconnect::http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let response = tokio::time::timeout(TIMEOUT, self.inner.request(request))
            .await
            .map_err(|_| OidcHttpError::Timeout(TIMEOUT))??;
        let (parts, body) = response.into_parts();
        let bytes = tokio::time::timeout(TIMEOUT, Limited::new(body, MAX_BODY).collect())
            .await
            .map_err(|_| OidcHttpError::Timeout(TIMEOUT))?
            .map_err(OidcHttpError::Body)?
            .to_bytes();
        Ok(openidconnect::http::Response::from_parts(parts, bytes.to_vec()))
    }
}

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = OidcHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

type ProviderClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The configured provider, discovered at start.
pub struct Oidc {
    /// Built from the provider's discovery document and keys; built again when a token is
    /// signed with a key it does not know (the provider has rotated its keys).
    client: std::sync::RwLock<ProviderClient>,
    /// When the keys were last read again: at most once a minute, so that tokens naming
    /// made-up keys cannot make AGIO hammer the provider.
    keys_reread_at: tokio::sync::Mutex<Option<Instant>>,
    settings: OidcSettings,
    redirect: String,
    http: OidcHttp,
    pub issuer: String,
    pub label: String,
}

/// The shortest time between two readings of the provider's keys after the first.
const KEYS_REREAD_INTERVAL: Duration = Duration::from_secs(60);

/// A client from the provider's discovery document and keys.
async fn discovered_client(settings: &OidcSettings, redirect: &str, http: &OidcHttp) -> anyhow::Result<ProviderClient> {
    let issuer = IssuerUrl::new(settings.issuer.clone())?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| anyhow::anyhow!("OpenID discovery at {} failed: {e}", settings.issuer))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(settings.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect.to_string())?))
}

/// A sign-in about to leave for the provider: where to send the browser, and what to keep.
pub struct Departure {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

impl Oidc {
    /// Reads the provider's discovery document and keys; `redirect` is this site's callback.
    pub async fn discover(settings: &OidcSettings, redirect: &str) -> anyhow::Result<Oidc> {
        let http = OidcHttp::new()?;
        let client = discovered_client(settings, redirect, &http).await?;
        Ok(Oidc {
            client: std::sync::RwLock::new(client),
            keys_reread_at: tokio::sync::Mutex::new(None),
            settings: settings.clone(),
            redirect: redirect.to_string(),
            http,
            issuer: settings.issuer.clone(),
            label: settings.label.clone(),
        })
    }

    fn client(&self) -> ProviderClient {
        self.client.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Reads the provider's keys again (it has rotated them), unless that was done less than a
    /// minute ago; the client with the new keys.
    async fn reread_keys(&self) -> anyhow::Result<ProviderClient> {
        let mut reread_at = self.keys_reread_at.lock().await;
        if reread_at.is_some_and(|at| at.elapsed() < KEYS_REREAD_INTERVAL) {
            anyhow::bail!("the ID token's key is unknown, and the keys were read again less than a minute ago");
        }
        *reread_at = Some(Instant::now());
        let client = discovered_client(&self.settings, &self.redirect, &self.http).await?;
        *self.client.write().unwrap_or_else(std::sync::PoisonError::into_inner) = client.clone();
        tracing::info!(issuer = %self.issuer, "read the identity provider's keys again");
        Ok(client)
    }

    /// A new authorization request (code flow, PKCE S256, state, nonce).
    pub fn depart(&self) -> Departure {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client()
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Departure {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }
    }

    /// Exchanges the code and verifies the ID token; the error says what failed (for the log).
    pub async fn arrive(&self, code: &str, nonce: &str, pkce_verifier: &str) -> anyhow::Result<Identity> {
        let client = self.client();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| anyhow::anyhow!("token exchange: {e}"))?;
        let id_token = tokens.id_token().ok_or_else(|| anyhow::anyhow!("no ID token in the answer"))?;
        let nonce = Nonce::new(nonce.to_string());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            // Signed with a key AGIO has not seen: the provider has rotated its keys.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                id_token.claims(&self.reread_keys().await?.id_token_verifier(), &nonce)?.clone()
            }
            verified => verified?.clone(),
        };
        Ok(Identity {
            subject: claims.subject().as_str().to_string(),
            email: claims.email().map(|e| e.as_str().to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()),
        })
    }
}
