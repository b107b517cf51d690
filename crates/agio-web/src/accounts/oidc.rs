//! Sign-in with an external OpenID Connect provider: a regional identity gateway, or SPID and
//! CIE directly through their OpenID Connect profiles (`national`). Authorization code flow with
//! PKCE (S256), state and nonce; the ID token's signature, issuer, audience, expiry and nonce are
//! verified by `openidconnect`. With SPID and CIE the request is a signed request object, the
//! client authenticates with `private_key_jwt`, and the attributes come from a signed UserInfo.
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
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdTokenClaims, CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AsyncHttpClient, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse, UserInfoResponseType,
};

use crate::accounts::national::{self, NationalAttributes, Profile, RelyingPartyKey};
use agio_domain::credentials::new_token;

const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a signed request object is valid: as long as a sign-in may stay at the provider.
const LOGIN_SECONDS: i64 = 600;
/// Discovery documents, key sets and token answers are small.
const MAX_BODY: usize = 1 << 20;

/// What `agio serve` is told about the provider.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_auth: ClientAuth,
    pub profile: Profile,
    /// The name of the button ("SPID / CIE", say).
    pub label: String,
}

/// How AGIO authenticates to the provider's token endpoint.
#[derive(Clone)]
pub enum ClientAuth {
    /// `client_secret_basic`.
    Secret(String),
    /// `private_key_jwt` with this RSA private key (PEM), which also signs request objects:
    /// what SPID and CIE require.
    PrivateKey(String),
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClientAuth::Secret(_) => "Secret(..)",
            ClientAuth::PrivateKey(_) => "PrivateKey(..)",
        })
    }
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
    /// Signs request objects and client assertions, when the provider wants `private_key_jwt`.
    key: Option<RelyingPartyKey>,
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
    let secret = match &settings.client_auth {
        ClientAuth::Secret(secret) => Some(ClientSecret::new(secret.clone())),
        // No secret: the client id goes in the token request's body, with the assertion.
        ClientAuth::PrivateKey(_) => None,
    };
    Ok(CoreClient::from_provider_metadata(metadata, ClientId::new(settings.client_id.clone()), secret)
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
    /// What the identity is kept under: the provider's issuer, or `FISCAL_NUMBER_ISSUER` for
    /// SPID and CIE.
    pub issuer: String,
    /// The provider's `sub`, or the fiscal number with SPID and CIE.
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

impl Oidc {
    /// Reads the provider's discovery document and keys; `redirect` is this site's callback.
    pub async fn discover(settings: &OidcSettings, redirect: &str) -> anyhow::Result<Oidc> {
        let key = match &settings.client_auth {
            ClientAuth::PrivateKey(pem) => Some(RelyingPartyKey::from_pem(pem)?),
            ClientAuth::Secret(_) if settings.profile.is_national() => {
                anyhow::bail!("SPID and CIE authenticate the client with a private key (--oidc-key-file), not a secret")
            }
            ClientAuth::Secret(_) => None,
        };
        let http = OidcHttp::new()?;
        let client = discovered_client(settings, redirect, &http).await?;
        Ok(Oidc {
            client: std::sync::RwLock::new(client),
            keys_reread_at: tokio::sync::Mutex::new(None),
            settings: settings.clone(),
            redirect: redirect.to_string(),
            http,
            key,
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

    /// The public key set to register at the provider, when AGIO authenticates with a key.
    pub fn public_jwks(&self) -> Option<serde_json::Value> {
        self.key.as_ref().map(RelyingPartyKey::public_jwks)
    }

    /// A new authorization request (code flow, PKCE S256, state, nonce); with SPID and CIE,
    /// carried by a signed request object that asks for level 2 and the attributes.
    pub fn depart(&self) -> anyhow::Result<Departure> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        // 32 random bytes each, in hex: SPID and CIE want at least 32 characters.
        let (state, nonce) = (CsrfToken::new(new_token()), Nonce::new(new_token()));
        let client = self.client();
        let (state_once, nonce_once) = (state.clone(), nonce.clone());
        let request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, move || state_once, move || nonce_once)
            .set_pkce_challenge(challenge.clone());
        let request = match (self.settings.profile.is_national(), &self.key) {
            (true, Some(key)) => {
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let object = key.sign(&serde_json::json!({
                    "iss": self.settings.client_id,
                    "aud": self.issuer,
                    "iat": now,
                    "nbf": now,
                    "exp": now + LOGIN_SECONDS,
                    "jti": new_token(),
                    "client_id": self.settings.client_id,
                    "response_type": "code",
                    "scope": "openid",
                    "redirect_uri": self.redirect,
                    "state": state.secret(),
                    "nonce": nonce.secret(),
                    "code_challenge": challenge.as_str(),
                    "code_challenge_method": "S256",
                    "prompt": "consent login",
                    "acr_values": national::ACR_LEVEL_2,
                    "claims": national::requested_claims(),
                    "ui_locales": "it",
                }))?;
                request
                    .add_prompt(CoreAuthPrompt::Consent)
                    .add_prompt(CoreAuthPrompt::Login)
                    .add_auth_context_value(AuthenticationContextClass::new(national::ACR_LEVEL_2.into()))
                    .add_extra_param("request", object)
            }
            _ => request.add_scope(Scope::new("email".into())).add_scope(Scope::new("profile".into())),
        };
        let (url, _, _) = request.url();
        Ok(Departure {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and verifies the ID token (and, with SPID and CIE, reads the signed
    /// UserInfo); the error says what failed (for the log).
    pub async fn arrive(&self, code: &str, nonce: &str, pkce_verifier: &str) -> anyhow::Result<Identity> {
        let client = self.client();
        let mut exchange = client
            .exchange_code(AuthorizationCode::new(code.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()));
        if let Some(key) = &self.key {
            let token_endpoint = client.token_uri().ok_or_else(|| anyhow::anyhow!("no token endpoint"))?;
            let assertion = key.client_assertion(&self.settings.client_id, token_endpoint.as_str())?;
            exchange = exchange
                .add_extra_param("client_assertion_type", national::JWT_BEARER)
                .add_extra_param("client_assertion", assertion);
        }
        let tokens = exchange.request_async(&self.http).await.map_err(|e| anyhow::anyhow!("token exchange: {e}"))?;
        let id_token = tokens.id_token().ok_or_else(|| anyhow::anyhow!("no ID token in the answer"))?;
        let nonce = Nonce::new(nonce.to_string());
        let verified = id_token.claims(&client.id_token_verifier(), &nonce).cloned();
        let (client, claims) = match verified {
            // Signed with a key AGIO has not seen: the provider has rotated its keys.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let client = self.reread_keys().await?;
                let claims = id_token.claims(&client.id_token_verifier(), &nonce)?.clone();
                (client, claims)
            }
            verified => (client, verified?),
        };
        if !self.settings.profile.is_national() {
            return Ok(Identity {
                issuer: self.issuer.clone(),
                subject: claims.subject().as_str().to_string(),
                email: claims.email().map(|e| e.as_str().to_string()),
                email_verified: claims.email_verified().unwrap_or(false),
                name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()),
            });
        }
        self.national_identity(&client, &claims, tokens.access_token()).await
    }

    /// The person SPID or CIE authenticated: the level checked, then the attributes read from
    /// the signed UserInfo answer (issuer, audience, signature and subject verified).
    async fn national_identity(
        &self,
        client: &ProviderClient,
        id_claims: &CoreIdTokenClaims,
        access_token: &AccessToken,
    ) -> anyhow::Result<Identity> {
        let acr = id_claims.auth_context_ref().map(|acr| acr.as_str());
        if !national::acr_accepted(acr) {
            anyhow::bail!("authenticated at level {acr:?}, below SPID level 2");
        }
        let attributes = client
            .user_info(access_token.clone(), Some(id_claims.subject().clone()))?
            .require_signed_response(true)
            .set_response_type(UserInfoResponseType::Jwt)
            .request_async::<NationalAttributes, _, CoreGenderClaim>(&self.http)
            .await
            .map_err(|e| anyhow::anyhow!("UserInfo: {e}"))?;
        let raw = attributes.additional_claims().fiscal_number.as_deref().unwrap_or_default();
        let fiscal_number =
            national::fiscal_number(raw).ok_or_else(|| anyhow::anyhow!("no fiscal number among the attributes"))?;
        let given = attributes.given_name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string());
        let family = attributes.family_name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string());
        let name = [given, family].into_iter().flatten().collect::<Vec<_>>().join(" ");
        Ok(Identity {
            issuer: national::FISCAL_NUMBER.to_string(),
            subject: fiscal_number,
            email: attributes.email().map(|e| e.as_str().to_string()),
            // SPID and CIE identity providers verify the email they release, unless they say not.
            email_verified: attributes.email_verified().unwrap_or(true),
            name: (!name.is_empty()).then_some(name),
        })
    }

    /// The issuer identities from this provider are kept under.
    pub fn identity_issuer(&self) -> &str {
        if self.settings.profile.is_national() {
            national::FISCAL_NUMBER
        } else {
            &self.issuer
        }
    }
}
