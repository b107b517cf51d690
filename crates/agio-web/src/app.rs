//! The running server: binds, prepares the database, serves until SIGTERM or Ctrl-C.

use std::net::SocketAddr;

use agio_store::Store;
use tokio::net::TcpListener;

use crate::kit::state::AppState;

/// What `agio serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub database_url: String,
    pub listen: String,
    pub base_url: String,
    /// SMTP server for outgoing email; None: the outbox.
    pub smtp_url: Option<String>,
    /// A PEM certificate to trust for the SMTP server besides the public roots.
    pub smtp_ca_file: Option<String>,
    /// The planners' synonyms for the services search; None: the file AGIO ships.
    pub synonyms_file: Option<String>,
    pub mail_from: String,
    /// The mailbox people write to about the site (accessibility statement, contacts page).
    pub contact_email: String,
    /// An external OpenID Connect provider for sign-in; None: local accounts only.
    pub oidc: Option<crate::accounts::oidc::OidcSettings>,
    /// Reverse proxies trusted to tell the client's address in `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The Decidim instances coordinators may import from (hosts, with the port if any).
    pub decidim_hosts: Vec<String>,
    /// Name and IPA code of the administration publishing the open data catalogue.
    pub publisher: (String, String),
    /// What Prometheus presents to read `/metrics`; None: not served.
    pub metrics_token: Option<String>,
    pub demo: bool,
    /// Every cache off (`agio serve --no-cache`).
    pub no_cache: bool,
}

/// A bound, ready server; `run` serves it. Binding port 0 gives a free port (tests).
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    shutdown: ShutdownSignals,
}

impl Application {
    /// Connects and migrates the database, loads reference territories (and the demo when asked), binds.
    pub async fn build(options: &ServeOptions) -> anyhow::Result<Application> {
        let store = Store::connect(&options.database_url).await.map_err(|e| {
            anyhow::anyhow!("cannot open the database {}: {e}", agio_store::redact_url(&options.database_url))
        })?;
        store.migrate().await?;
        store.load_reference_territories().await?;
        if options.demo {
            store.load_demo().await?;
        }
        let mailer = crate::kit::mail::Mailer::new(
            options.smtp_url.as_deref(),
            &options.mail_from,
            options.smtp_ca_file.as_deref(),
        )?;
        let oidc = match &options.oidc {
            Some(settings) => {
                let callback = format!("{}/accedi/oidc/callback", options.base_url.trim_end_matches('/'));
                Some(crate::accounts::oidc::Oidc::discover(settings, &callback).await?)
            }
            None => None,
        };
        let proxies = options.trusted_proxies.clone();
        let synonyms = match &options.synonyms_file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the synonyms file {path}: {e}"))?,
            None => agio_app::directory::DEFAULT_SYNONYMS.to_string(),
        };
        let synonyms = agio_search::Synonyms::parse(&synonyms).map_err(|e| {
            anyhow::anyhow!("{}: {e}", options.synonyms_file.as_deref().unwrap_or("data/directory/sinonimi.txt"))
        })?;
        let mut state =
            AppState::with_services(store.clone(), &options.base_url, mailer, oidc, proxies, synonyms).await?;
        state =
            state.with_contact(&options.contact_email).ok_or_else(|| anyhow::anyhow!("the state is already shared"))?;
        state = state
            .with_decidim_hosts(options.decidim_hosts.clone())
            .and_then(|s| s.with_publisher(&options.publisher.0, &options.publisher.1))
            .and_then(|s| s.with_metrics_token(options.metrics_token.as_deref()))
            .ok_or_else(|| anyhow::anyhow!("the state is already shared"))?;
        if options.no_cache {
            state = state.without_caches().ok_or_else(|| anyhow::anyhow!("the state is already shared"))?;
        }
        tokio::spawn(crate::kit::cache::watch_data_version(state.clone(), crate::kit::cache::POLL_EVERY));
        let listener = TcpListener::bind(&options.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", options.listen))?;
        let shutdown = ShutdownSignals::listen()?;
        Ok(Application { listener, router: crate::router(state), store, shutdown })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until SIGTERM or Ctrl-C, letting requests in flight finish.
    pub async fn run(self) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(self.shutdown.received())
            .await?;
        self.store.close().await;
        Ok(())
    }
}

/// SIGTERM and SIGINT, caught from the moment the application is built. Registered lazily, on the
/// first poll of a task axum spawns, a signal sent as soon as the server said it was serving could
/// come first and kill the process by its default action (it did, on a loaded machine).
struct ShutdownSignals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn listen() -> anyhow::Result<ShutdownSignals> {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind| signal(kind).map_err(|e| anyhow::anyhow!("cannot listen for shutdown signals: {e}"));
        Ok(ShutdownSignals { terminate: listen(SignalKind::terminate())?, interrupt: listen(SignalKind::interrupt())? })
    }

    async fn received(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {},
            _ = self.interrupt.recv() => {},
        }
        tracing::info!("shutting down");
    }
}
