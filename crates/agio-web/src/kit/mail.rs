//! Outgoing email: over SMTP when `AGIO_SMTP_URL` is set, otherwise into the outbox table,
//! which administrators read in the UI (so that the embedded default works without a server).

use agio_store::Store;

use crate::kit::i18n::Lang;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Mailer {
    Smtp { transport: Box<AsyncSmtpTransport<Tokio1Executor>>, from: Mailbox },
    Outbox,
}

impl Mailer {
    /// From `smtp://[user:pass@]host[:port]` (plain; add `?tls=required` for STARTTLS) or
    /// `smtps://…` (TLS from the first byte), or the outbox when there is no URL. `ca_file`
    /// names a PEM certificate to trust besides the public roots (a relay with a private CA).
    pub fn new(smtp_url: Option<&str>, from: &str, ca_file: Option<&str>) -> anyhow::Result<Mailer> {
        let Some(url) = smtp_url.filter(|u| !u.is_empty()) else { return Ok(Mailer::Outbox) };
        let target = parse_smtp_url(url)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&target.host).port(target.port);
        if target.security != Security::Plain {
            let mut parameters = TlsParameters::builder(target.host.clone());
            if let Some(path) = ca_file.filter(|p| !p.is_empty()) {
                let pem = std::fs::read(path).map_err(|e| anyhow::anyhow!("AGIO_SMTP_CA_FILE {path}: {e}"))?;
                let certificate = Certificate::from_pem(&pem)
                    .map_err(|e| anyhow::anyhow!("AGIO_SMTP_CA_FILE {path} is not a PEM certificate: {e}"))?;
                parameters = parameters.add_root_certificate(certificate);
            }
            let parameters = parameters.build_rustls()?;
            builder = builder.tls(match target.security {
                Security::Implicit => Tls::Wrapper(parameters),
                _ => Tls::Required(parameters),
            });
        }
        if let Some((user, password)) = target.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let transport = builder.build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("the sender address '{from}' is not valid: {e}"))?;
        Ok(Mailer::Smtp { transport: Box::new(transport), from })
    }

    /// Sends a plain-text message. A failure is logged, not shown: the person sees the same
    /// answer either way (a reset request must not tell whether an account exists).
    pub async fn send(&self, store: &Store, lang: Lang, to: &str, subject: &str, body: &str) {
        let outcome = match self {
            Mailer::Outbox => store.put_in_outbox(to, subject, body, lang.code()).await.map_err(|e| e.to_string()),
            Mailer::Smtp { transport, from } => match to.parse::<Mailbox>() {
                Ok(recipient) => {
                    let message = Message::builder()
                        .from(from.clone())
                        .to(recipient)
                        .subject(subject)
                        .header(ContentType::TEXT_PLAIN)
                        .body(body.to_string());
                    match message {
                        Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                }
                Err(e) => Err(format!("recipient: {e}")),
            },
        };
        if let Err(error) = outcome {
            tracing::error!(%error, "an email could not be sent");
        }
    }
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    /// STARTTLS, required (`smtp://…?tls=required`): no message goes out in clear.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// The parts of an SMTP URL.
#[derive(Debug, PartialEq, Eq)]
struct SmtpTarget {
    credentials: Option<(String, String)>,
    host: String,
    port: u16,
    security: Security,
}

/// Splits `smtp[s]://[user:pass@]host[:port][?tls=required]` (ports 25 and 465 by default).
fn parse_smtp_url(url: &str) -> anyhow::Result<SmtpTarget> {
    let bad = || {
        anyhow::anyhow!(
            "AGIO_SMTP_URL '{}' is not smtp://[user:pass@]host[:port][?tls=required] or smtps://[user:pass@]host[:port]",
            agio_store::redact_url(url)
        )
    };
    let (rest, query) = url.split_once('?').unwrap_or((url, ""));
    let (rest, mut security, default_port) = match (rest.strip_prefix("smtp://"), rest.strip_prefix("smtps://")) {
        (Some(rest), _) => (rest, Security::Plain, 25),
        (_, Some(rest)) => (rest, Security::Implicit, 465),
        _ => return Err(bad()),
    };
    match (query, security) {
        ("", _) => {}
        ("tls=required", Security::Plain) => security = Security::StartTls,
        _ => return Err(bad()),
    }
    let (credentials, address) = match rest.rsplit_once('@') {
        Some((userinfo, address)) => {
            let (user, password) = userinfo.split_once(':').ok_or_else(bad)?;
            (Some((user.to_string(), password.to_string())), address)
        }
        None => (None, rest),
    };
    let address = address.trim_end_matches('/');
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().map_err(|_| bad())?),
        None => (address, default_port),
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok(SmtpTarget { credentials, host: host.to_string(), port, security })
}

#[cfg(test)]
mod tests {
    use super::{parse_smtp_url, Security, SmtpTarget};

    #[test]
    fn smtp_urls() {
        let target = |credentials: Option<(&str, &str)>, host: &str, port, security| SmtpTarget {
            credentials: credentials.map(|(u, p)| (u.to_string(), p.to_string())),
            host: host.into(),
            port,
            security,
        };
        assert_eq!(parse_smtp_url("smtp://127.0.0.1:2525").unwrap(), target(None, "127.0.0.1", 2525, Security::Plain));
        assert_eq!(
            parse_smtp_url("smtp://agio:s3cret@mail.example.org").unwrap(),
            target(Some(("agio", "s3cret")), "mail.example.org", 25, Security::Plain)
        );
        assert_eq!(
            parse_smtp_url("smtp://relay.internal:587?tls=required").unwrap(),
            target(None, "relay.internal", 587, Security::StartTls)
        );
        assert_eq!(
            parse_smtp_url("smtps://relay.internal").unwrap(),
            target(None, "relay.internal", 465, Security::Implicit)
        );
        for bad in [
            "http://x",
            "smtp://",
            "smtp://host:port",
            "smtp://user@host",
            "smtp://h?tls=maybe",
            "smtps://h?tls=required",
        ] {
            let e = parse_smtp_url(bad).unwrap_err().to_string();
            assert!(!e.contains("s3cret"), "{e}");
        }
    }
}
