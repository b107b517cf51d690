//! Configuration: command-line flags, then environment (`AGIO_*`), then `agio.toml`, then defaults.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/agio.sqlite";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The open data publisher when none is configured: the Region, by its IPA code.
const DEFAULT_PUBLISHER: (&str, &str) = ("Regione Emilia-Romagna", "r_emiro");
const DEFAULT_MAIL_FROM: &str = "AGIO <agio@localhost>";

/// Options shared by every subcommand (flags; each also read from its environment variable).
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Database URL: sqlite://PATH (default ./data/agio.sqlite) or postgres://USER@HOST/DB.
    #[arg(long, env = "AGIO_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "AGIO_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Public base URL, e.g. https://agio.example.org (default http://LISTEN).
    #[arg(long, env = "AGIO_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Log format: human (default) or json.
    #[arg(long, env = "AGIO_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// SMTP server for outgoing email: smtp://user:pass@relay.internal:587?tls=required
    /// (STARTTLS), smtps://…:465 (TLS), or smtp://…:25 (plain, for a relay on the same host)
    /// (default: none; messages go to the outbox that administrators read in the UI).
    #[arg(long, env = "AGIO_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// A PEM certificate to trust for the SMTP server besides the public roots (a relay with
    /// a private certificate authority).
    #[arg(long, env = "AGIO_SMTP_CA_FILE", global = true)]
    pub smtp_ca_file: Option<String>,
    /// The synonyms of the services search, a file planners edit (default: the one AGIO ships,
    /// data/directory/sinonimi.txt).
    #[arg(long, env = "AGIO_SYNONYMS_FILE", global = true)]
    pub synonyms_file: Option<String>,
    /// Sender of outgoing email (default "AGIO <agio@localhost>").
    #[arg(long, env = "AGIO_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// The mailbox people write to about the site (an accessibility problem, a correction),
    /// given by the accessibility statement and the contacts page (default: the sender's address).
    #[arg(long, env = "AGIO_CONTACT_EMAIL", global = true)]
    pub contact_email: Option<String>,
    /// Issuer URL of an external OpenID Connect provider for sign-in (a regional SPID/CIE
    /// gateway), e.g. https://login.example.org (default: none, local accounts only).
    #[arg(long, env = "AGIO_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    /// Client id registered at the provider.
    #[arg(long, env = "AGIO_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,
    /// Client secret registered at the provider (prefer the environment variable).
    #[arg(long, env = "AGIO_OIDC_CLIENT_SECRET", global = true, hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Name of the sign-in button (default "SPID / CIE"; "SPID" or "CIE" with those profiles).
    #[arg(long, env = "AGIO_OIDC_LABEL", global = true)]
    pub oidc_label: Option<String>,
    /// The provider's profile: oidc (a gateway, default), spid or cie (their OpenID Connect
    /// profiles: signed request objects, private_key_jwt, the fiscal number as identity).
    #[arg(long, env = "AGIO_OIDC_PROFILE", global = true)]
    pub oidc_profile: Option<String>,
    /// RSA private key (PEM) that signs request objects and authenticates AGIO to the provider
    /// (private_key_jwt), instead of a client secret; required by spid and cie. Its public half
    /// is served at /accedi/oidc/jwks.json.
    #[arg(long, env = "AGIO_OIDC_KEY_FILE", global = true)]
    pub oidc_key_file: Option<String>,
    /// Reverse proxies in front of AGIO (IP addresses, comma separated) whose X-Forwarded-For
    /// header gives the client's address (default: none; the socket's peer is the client).
    #[arg(long, env = "AGIO_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// Comma-separated hosts (with the port, if any) of the Decidim instances coordinators may
    /// import from (default: partecipazioni.emr.it,partecipa.gov.it).
    #[arg(long, env = "AGIO_DECIDIM_HOSTS", global = true)]
    pub decidim_hosts: Option<String>,
    /// The public administration publishing the open data catalogue (default: Regione
    /// Emilia-Romagna).
    #[arg(long, env = "AGIO_PUBLISHER_NAME", global = true)]
    pub publisher_name: Option<String>,
    /// Its code in the Indice delle Pubbliche Amministrazioni (default: r_emiro).
    #[arg(long, env = "AGIO_PUBLISHER_IPA", global = true)]
    pub publisher_ipa: Option<String>,
    /// The token Prometheus presents (`Authorization: Bearer …`) to read /metrics (default:
    /// none, and /metrics is not served).
    #[arg(long, env = "AGIO_METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Configuration file (default ./agio.toml when it exists).
    #[arg(long, env = "AGIO_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

/// The keys `agio.toml` may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    base_url: Option<String>,
    log_format: Option<String>,
    smtp_url: Option<String>,
    smtp_ca_file: Option<String>,
    synonyms_file: Option<String>,
    mail_from: Option<String>,
    contact_email: Option<String>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    oidc_label: Option<String>,
    oidc_profile: Option<String>,
    oidc_key_file: Option<String>,
    trusted_proxies: Option<String>,
    decidim_hosts: Option<String>,
    publisher_name: Option<String>,
    publisher_ipa: Option<String>,
    metrics_token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    pub base_url: String,
    pub log_format: LogFormat,
    pub smtp_url: Option<String>,
    pub smtp_ca_file: Option<String>,
    pub synonyms_file: Option<String>,
    pub mail_from: String,
    pub contact_email: String,
    pub oidc: Option<agio_web::accounts::oidc::OidcSettings>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub decidim_hosts: Vec<String>,
    /// Name and IPA code of the administration publishing the open data.
    pub publisher: (String, String),
    /// What Prometheus presents to read /metrics; None: not served.
    pub metrics_token: Option<String>,
    /// Where the file layer came from, if any.
    pub file: Option<PathBuf>,
}

impl Config {
    pub fn resolve(args: &ConfigArgs) -> anyhow::Result<Config> {
        let (file, path) = match &args.config {
            Some(path) => (read_file(path)?, Some(path.clone())),
            None if Path::new("agio.toml").exists() => {
                (read_file(Path::new("agio.toml"))?, Some(PathBuf::from("agio.toml")))
            }
            None => (FileConfig::default(), None),
        };
        let oidc = match args.oidc_issuer.clone().or(file.oidc_issuer.clone()).filter(|v| !v.is_empty()) {
            None => None,
            Some(issuer) => Some(oidc_settings(issuer, args, &file)?),
        };
        let database_url =
            args.database_url.clone().or(file.database_url).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let listen = args.listen.clone().or(file.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        if listen.parse::<std::net::SocketAddr>().is_err() {
            anyhow::bail!("listen address '{listen}' is not an IP address and port, such as 127.0.0.1:8080");
        }
        let base_url = args
            .base_url
            .clone()
            .or(file.base_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            anyhow::bail!("base URL '{base_url}' must start with http:// or https://");
        }
        let log_format = match args.log_format.clone().or(file.log_format).as_deref() {
            None | Some("human") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(other) => anyhow::bail!("log format '{other}' is not one of: human, json"),
        };
        let smtp_url = args.smtp_url.clone().or(file.smtp_url).filter(|u| !u.is_empty());
        let smtp_ca_file = args.smtp_ca_file.clone().or(file.smtp_ca_file).filter(|u| !u.is_empty());
        let synonyms_file = args.synonyms_file.clone().or(file.synonyms_file).filter(|u| !u.is_empty());
        let mail_from = args.mail_from.clone().or(file.mail_from).unwrap_or_else(|| DEFAULT_MAIL_FROM.to_string());
        let contact_email = args.contact_email.clone().or(file.contact_email).filter(|e| !e.is_empty());
        // "AGIO <agio@example.org>": the address between the angle brackets.
        let contact_email = contact_email.unwrap_or_else(|| match mail_from.rsplit_once('<') {
            Some((_, rest)) => rest.trim_end_matches('>').trim().to_string(),
            None => mail_from.trim().to_string(),
        });
        let trusted_proxies = args
            .trusted_proxies
            .clone()
            .or(file.trusted_proxies)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.parse().map_err(|_| anyhow::anyhow!("trusted proxy '{a}' is not an IP address")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let decidim_hosts = match args.decidim_hosts.clone().or(file.decidim_hosts) {
            Some(hosts) => hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_string).collect(),
            None => agio_web::kit::state::DEFAULT_DECIDIM_HOSTS.iter().map(|h| h.to_string()).collect(),
        };
        let publisher = (
            args.publisher_name.clone().or(file.publisher_name).unwrap_or_else(|| DEFAULT_PUBLISHER.0.to_string()),
            args.publisher_ipa.clone().or(file.publisher_ipa).unwrap_or_else(|| DEFAULT_PUBLISHER.1.to_string()),
        );
        Ok(Config {
            database_url,
            listen,
            base_url,
            log_format,
            smtp_url,
            smtp_ca_file,
            synonyms_file,
            mail_from,
            contact_email,
            oidc,
            trusted_proxies,
            decidim_hosts,
            publisher,
            metrics_token: args.metrics_token.clone().or(file.metrics_token).filter(|t| !t.is_empty()),
            file: path,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))
}

/// The external provider's settings, once an issuer is given: a client id, and a secret or a key.
fn oidc_settings(
    issuer: String,
    args: &ConfigArgs,
    file: &FileConfig,
) -> anyhow::Result<agio_web::accounts::oidc::OidcSettings> {
    use agio_web::accounts::national::Profile;
    use agio_web::accounts::oidc::{ClientAuth, OidcSettings};
    let profile: Profile = match args.oidc_profile.clone().or(file.oidc_profile.clone()).filter(|p| !p.is_empty()) {
        Some(profile) => profile.parse().map_err(anyhow::Error::msg)?,
        None => Profile::Oidc,
    };
    let client_id = args.oidc_client_id.clone().or(file.oidc_client_id.clone()).filter(|v| !v.is_empty());
    let Some(client_id) = client_id else { anyhow::bail!("an OpenID issuer needs a client id (--oidc-client-id)") };
    let key_file = args.oidc_key_file.clone().or(file.oidc_key_file.clone()).filter(|v| !v.is_empty());
    let secret = args.oidc_client_secret.clone().or(file.oidc_client_secret.clone()).filter(|v| !v.is_empty());
    let client_auth = match (key_file, secret) {
        (Some(path), _) => ClientAuth::PrivateKey(
            std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("cannot read the OpenID key {path}: {e}"))?,
        ),
        (None, _) if profile.is_national() => {
            anyhow::bail!("the {profile:?} profile needs an RSA private key (--oidc-key-file), not a client secret")
        }
        (None, Some(secret)) => ClientAuth::Secret(secret),
        (None, None) => anyhow::bail!("an OpenID issuer needs a client secret or a key (--oidc-key-file)"),
    };
    let label = args.oidc_label.clone().or(file.oidc_label.clone()).unwrap_or_else(|| profile.default_label().into());
    Ok(OidcSettings { issuer, client_id, client_auth, profile, label })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("agio-test-{}-{}.toml", std::process::id(), text.len()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn defaults() {
        let c = Config::resolve(&ConfigArgs { config: Some(file("")), ..Default::default() }).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.listen, DEFAULT_LISTEN);
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert_eq!(c.log_format, LogFormat::Human);
    }

    #[test]
    fn flags_beat_file() {
        let path = file("listen = \"0.0.0.0:9000\"\nlog_format = \"json\"\ndatabase_url = \"sqlite://x.sqlite\"\n");
        let args = ConfigArgs { listen: Some("127.0.0.1:7000".into()), config: Some(path), ..Default::default() };
        let c = Config::resolve(&args).unwrap();
        assert_eq!(c.listen, "127.0.0.1:7000");
        assert_eq!(c.database_url, "sqlite://x.sqlite");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn rejects_bad_values() {
        let bad = ConfigArgs { log_format: Some("xml".into()), config: Some(file("#")), ..Default::default() };
        assert!(Config::resolve(&bad).unwrap_err().to_string().contains("xml"));
        let listen = ConfigArgs { listen: Some("localhost".into()), config: Some(file("##")), ..Default::default() };
        assert!(Config::resolve(&listen).unwrap_err().to_string().contains("'localhost'"));
        let unknown = ConfigArgs { config: Some(file("port = 1\n")), ..Default::default() };
        assert!(Config::resolve(&unknown).is_err());
    }
}
