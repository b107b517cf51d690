//! What the OpenID Connect profiles of SPID and CIE ask of a relying party beyond the plain code
//! flow: its own RSA key, a signed request object for every authorization request, client
//! authentication with `private_key_jwt` (RFC 7523), an authentication level (`acr_values`), and
//! the attributes asked for through the `claims` parameter and read from a signed UserInfo
//! answer. The fiscal number identifies the person: every SPID identity provider and CIE give
//! the same one, whereas their `sub` differ.
//!
//! JWTs are signed with `openidconnect`'s RSA signing key: one crate for the whole protocol.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{AdditionalClaims, JsonWebKeyId, PrivateSigningKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Which profile the provider follows: how AGIO asks, authenticates and reads the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Plain OpenID Connect (a regional gateway): scopes `email profile`, the identity is the
    /// provider's `sub`, an account is made from a verified email.
    Oidc,
    /// SPID's OpenID Connect profile (AgID, "SPID OIDC Federation" technical rules).
    Spid,
    /// CIE's OpenID Connect profile (Ministero dell'Interno, "CIE id").
    Cie,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Profile, String> {
        match s {
            "oidc" => Ok(Profile::Oidc),
            "spid" => Ok(Profile::Spid),
            "cie" => Ok(Profile::Cie),
            other => Err(format!("unknown OpenID profile '{other}': oidc, spid or cie")),
        }
    }
}

impl Profile {
    /// SPID and CIE: signed request objects, attributes by the `claims` parameter, fiscal number.
    pub fn is_national(self) -> bool {
        matches!(self, Profile::Spid | Profile::Cie)
    }

    /// The name of the sign-in button unless the installation names it.
    pub fn default_label(self) -> &'static str {
        match self {
            Profile::Oidc => "SPID / CIE",
            Profile::Spid => "SPID",
            Profile::Cie => "CIE",
        }
    }
}

/// The authentication level asked for: SPID level 2 (password and a second factor), which CIE
/// names the same way. Level 1 is not enough to take part in a Community Lab under one's name.
pub const ACR_LEVEL_2: &str = "https://www.spid.gov.it/SpidL2";
/// The levels that satisfy [`ACR_LEVEL_2`].
const ACCEPTED_ACR: &[&str] = &[ACR_LEVEL_2, "https://www.spid.gov.it/SpidL3"];

/// The attribute name SPID and CIE give the fiscal number under.
pub const FISCAL_NUMBER: &str = agio_store::FISCAL_NUMBER_ISSUER;

/// The attributes AGIO asks for, from UserInfo (the `claims` request parameter): the fiscal
/// number (essential), the names and the email. Nothing else is asked, so nothing else is kept.
/// The level is asked with `acr_values` and checked in the ID token (`acr_accepted`).
pub fn requested_claims() -> serde_json::Value {
    serde_json::json!({
        "userinfo": {
            FISCAL_NUMBER: { "essential": true },
            "given_name": null,
            "family_name": null,
            "email": null,
        },
    })
}

/// Whether the level the provider says it authenticated at is at least level 2.
pub fn acr_accepted(acr: Option<&str>) -> bool {
    acr.is_some_and(|acr| ACCEPTED_ACR.contains(&acr))
}

/// The attributes SPID and CIE add to the standard claims.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NationalAttributes {
    #[serde(rename = "https://attributes.eid.gov.it/fiscal_number", default)]
    pub fiscal_number: Option<String>,
}

impl AdditionalClaims for NationalAttributes {}

/// A fiscal number as AGIO keeps it: `TINIT-` (the ETSI prefix SPID and CIE send) taken off,
/// upper case; None unless it has the shape of a person's (16 characters) or a company's
/// (11 digits) code.
pub fn fiscal_number(raw: &str) -> Option<String> {
    let upper = raw.trim().to_ascii_uppercase();
    let code = upper.strip_prefix("TINIT-").unwrap_or(&upper);
    let person = code.len() == 16 && code.chars().all(|c| c.is_ascii_alphanumeric());
    let company = code.len() == 11 && code.chars().all(|c| c.is_ascii_digit());
    (person || company).then(|| code.to_string())
}

/// The smallest RSA key accepted, in bytes (2048 bits).
const MIN_KEY_BYTES: usize = 256;

/// The relying party's RSA key: signs request objects and client assertions; its public half
/// is published at `/accedi/oidc/jwks.json` for the provider's registration.
pub struct RelyingPartyKey {
    signing: CoreRsaPrivateSigningKey,
    public_jwk: serde_json::Value,
}

impl RelyingPartyKey {
    /// Reads an RSA private key in PEM, PKCS#8 (`openssl genpkey`) or PKCS#1. Its key id is the
    /// RFC 7638 thumbprint of the public key, so that it changes exactly when the key does.
    pub fn from_pem(pem: &str) -> anyhow::Result<RelyingPartyKey> {
        let key = match pem.contains("BEGIN PRIVATE KEY") {
            true => rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| e.to_string()),
            false => rsa::RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| e.to_string()),
        }
        .map_err(|e| anyhow::anyhow!("the OpenID key is not an RSA private key in PEM: {e}"))?;
        if key.size() < MIN_KEY_BYTES {
            anyhow::bail!("the OpenID key has {} bits: SPID and CIE want at least 2048", key.size() * 8);
        }
        let pkcs1 = key
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("the OpenID key cannot be read: {e}"))?;
        let unnamed = CoreRsaPrivateSigningKey::from_pem(&pkcs1, None)
            .map_err(|e| anyhow::anyhow!("the OpenID key is not an RSA private key: {e}"))?;
        let public = serde_json::to_value(unnamed.as_verification_key())?;
        let (n, e) = (public["n"].as_str().unwrap_or_default(), public["e"].as_str().unwrap_or_default());
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        let signing = CoreRsaPrivateSigningKey::from_pem(&pkcs1, Some(JsonWebKeyId::new(kid.clone())))
            .map_err(|e| anyhow::anyhow!("the OpenID key cannot be read: {e}"))?;
        let public_jwk = serde_json::json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e });
        Ok(RelyingPartyKey { signing, public_jwk })
    }

    /// The public key set to register at the provider.
    pub fn public_jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.public_jwk] })
    }

    /// `claims` as a compact JWS, RS256, with this key's id.
    pub fn sign(&self, claims: &serde_json::Value) -> anyhow::Result<String> {
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": self.public_jwk["kid"] });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
        );
        let signature = self
            .signing
            .sign(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, input.as_bytes())
            .map_err(|e| anyhow::anyhow!("signing failed: {e}"))?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// A `private_key_jwt` client assertion for the token endpoint (RFC 7523): issued by the
    /// client about itself, for the token endpoint, valid for a minute, never the same twice.
    pub fn client_assertion(&self, client_id: &str, token_endpoint: &str) -> anyhow::Result<String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.sign(&serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": token_endpoint,
            "iat": now,
            "exp": now + 60,
            "jti": agio_domain::credentials::new_token(),
        }))
    }
}

/// How a client assertion is named in the token request (RFC 7523 section 2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_numbers_lose_their_prefix_and_keep_their_shape() {
        assert_eq!(fiscal_number("TINIT-RSSMRA80A01H501U").as_deref(), Some("RSSMRA80A01H501U"));
        assert_eq!(fiscal_number("rssmra80a01h501u").as_deref(), Some("RSSMRA80A01H501U"));
        assert_eq!(fiscal_number("tinit-rssmra80a01h501u").as_deref(), Some("RSSMRA80A01H501U"));
        assert_eq!(fiscal_number("TINIT-TINIT-RSSMRA80A01H501U"), None);
        assert_eq!(fiscal_number("TINIT-01234567890").as_deref(), Some("01234567890"));
        assert_eq!(fiscal_number("TINIT-RSSMRA80"), None);
        assert_eq!(fiscal_number("RSSMRA80A01H501U<script>"), None);
        assert_eq!(fiscal_number(""), None);
    }

    #[test]
    fn only_level_two_or_three_is_accepted() {
        assert!(acr_accepted(Some(ACR_LEVEL_2)));
        assert!(acr_accepted(Some("https://www.spid.gov.it/SpidL3")));
        assert!(!acr_accepted(Some("https://www.spid.gov.it/SpidL1")));
        assert!(!acr_accepted(None));
    }
}
