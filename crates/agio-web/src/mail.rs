//! Outgoing email: over SMTP when `AGIO_SMTP_URL` is set, otherwise into the outbox table,
//! which administrators read in the UI (so that the embedded default works without a server).

use agio_store::Store;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Outbox,
}

impl Mailer {
    /// From `smtp://[user:pass@]host[:port]`, or the outbox when there is no URL.
    pub fn new(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Mailer> {
        let Some(url) = smtp_url.filter(|u| !u.is_empty()) else { return Ok(Mailer::Outbox) };
        let (credentials, host, port) = parse_smtp_url(url)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let transport = builder.build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("the sender address '{from}' is not valid: {e}"))?;
        Ok(Mailer::Smtp { transport, from })
    }

    /// Sends a plain-text message. A failure is logged, not shown: the person sees the same
    /// answer either way (a reset request must not tell whether an account exists).
    pub async fn send(&self, store: &Store, to: &str, subject: &str, body: &str) {
        let outcome = match self {
            Mailer::Outbox => store.put_in_outbox(to, subject, body).await.map_err(|e| e.to_string()),
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

/// The parts of an SMTP URL: credentials (user, password), host, port.
type SmtpTarget = (Option<(String, String)>, String, u16);

/// Splits `smtp://[user:pass@]host[:port]` (port 25 by default).
fn parse_smtp_url(url: &str) -> anyhow::Result<SmtpTarget> {
    let bad =
        || anyhow::anyhow!("AGIO_SMTP_URL '{}' is not smtp://[user:pass@]host[:port]", agio_store::redact_url(url));
    let rest = url.strip_prefix("smtp://").ok_or_else(bad)?;
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
        None => (address, 25),
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((credentials, host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::parse_smtp_url;

    #[test]
    fn smtp_urls() {
        assert_eq!(parse_smtp_url("smtp://127.0.0.1:2525").unwrap(), (None, "127.0.0.1".into(), 2525));
        assert_eq!(
            parse_smtp_url("smtp://agio:s3cret@mail.example.org").unwrap(),
            (Some(("agio".into(), "s3cret".into())), "mail.example.org".into(), 25)
        );
        for bad in ["http://x", "smtp://", "smtp://host:port", "smtp://user@host"] {
            let e = parse_smtp_url(bad).unwrap_err().to_string();
            assert!(!e.contains("s3cret"), "{e}");
        }
    }
}
