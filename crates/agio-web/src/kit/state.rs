//! Shared plumbing of the web layer: application state, the UI language of a request and the
//! context every page template receives.

use std::borrow::Borrow;
use std::sync::Arc;

use agio_app::Vocabularies;
use agio_domain::model::Term;
use agio_store::Store;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::kit::error::AppError;
use crate::kit::i18n::{Catalogue, Lang};

/// The time the sign-in throttle and the session cache count in: the system's, or, for tests,
/// a stopped one that moves only when told, so that no answer depends on how fast the machine
/// runs them.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    stopped: Option<Arc<std::sync::Mutex<time::OffsetDateTime>>>,
}

impl Clock {
    pub fn frozen_at(at: time::OffsetDateTime) -> Clock {
        Clock { stopped: Some(Arc::new(std::sync::Mutex::new(at))) }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        match &self.stopped {
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
            None => time::OffsetDateTime::now_utc(),
        }
    }

    /// Moves a stopped clock on (the system's moves by itself).
    pub fn advance(&self, by: time::Duration) {
        if let Some(at) = &self.stopped {
            *at.lock().unwrap_or_else(|e| e.into_inner()) += by;
        }
    }
}

impl agio_app::Context for AppState {
    fn store(&self) -> &Store {
        &self.store
    }

    fn vocabularies(&self) -> &Vocabularies {
        &self.vocabularies
    }

    fn directory(&self) -> &agio_app::directory::Directory {
        &self.directory
    }

    /// After a write by this instance: its cached pages are stale now, not in a second.
    async fn after_write(&self) -> Result<(), agio_app::Error> {
        self.cache.set_version(self.store.data_version().await? as u64);
        self.directory.sync(&self.store).await
    }
}

/// The Decidim instances of Emilia-Romagna's participation (PartecipAzioni) and of the national
/// ParteciPA, which AGIO may read from unless configured otherwise.
pub const DEFAULT_DECIDIM_HOSTS: [&str; 2] = ["partecipazioni.emr.it", "partecipa.gov.it"];

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub store: Store,
    pub vocabularies: Vocabularies,
    /// The regional map, drawn once from the comuni boundaries.
    pub map_svg: String,
    /// The districts drawn once, for the pages that colour them (the profiles' map).
    pub map: crate::registry::map::DistrictMap,
    /// Whether cookies must be `Secure` (the public base URL is https).
    pub secure_cookies: bool,
    /// The mailbox people write to about the site (none in tests built without `with_contact`).
    pub contact_email: String,
    /// Rendered public pages and API reads, valid for the current data version.
    pub cache: crate::kit::cache::PageCache,
    /// Signed-in people's sessions of the last second (see `kit::auth::SessionCache`).
    pub sessions: crate::kit::auth::SessionCache,
    /// The public base URL, for links in emails.
    pub base_url: String,
    pub mailer: crate::kit::mail::Mailer,
    /// The external identity provider, when one is configured.
    pub oidc: Option<crate::accounts::oidc::Oidc>,
    /// Reverse proxies whose `X-Forwarded-For` tells the client's address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The directory of services and its search index.
    pub directory: agio_app::directory::Directory,
    pub clock: Clock,
    /// The Decidim instances coordinators may import from (hosts, with the port if any).
    pub decidim_hosts: Vec<String>,
    /// The administration publishing the open data catalogue: its name and IPA code.
    pub publisher_name: String,
    pub publisher_ipa_code: String,
    /// Requests answered and the page cache's use, for `/metrics`.
    pub metrics: crate::kit::metrics::Metrics,
    /// Whether the database was found down (`kit::breaker`).
    pub breaker: crate::kit::breaker::DatabaseBreaker,
}

impl std::ops::Deref for AppState {
    type Target = StateInner;
    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl AppState {
    /// State whose email goes to the outbox.
    pub async fn new(store: Store, base_url: &str) -> Result<AppState, AppError> {
        let synonyms = agio_search::Synonyms::parse(agio_app::directory::DEFAULT_SYNONYMS)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Self::with_services(store, base_url, crate::kit::mail::Mailer::Outbox, None, Vec::new(), synonyms).await
    }

    pub async fn with_services(
        store: Store,
        base_url: &str,
        mailer: crate::kit::mail::Mailer,
        oidc: Option<crate::accounts::oidc::Oidc>,
        trusted_proxies: Vec<std::net::IpAddr>,
        synonyms: agio_search::Synonyms,
    ) -> Result<AppState, AppError> {
        let vocabularies = Vocabularies::load(&store).await?;
        let directory = agio_app::directory::Directory::build(&store, synonyms).await?;
        release_freed_memory();
        let map = crate::registry::map::DistrictMap::draw(&store.map_shapes().await?);
        let map_svg = crate::registry::map::render(&map);
        let cache = crate::kit::cache::PageCache::new(store.data_version().await? as u64);
        let state = AppState(Arc::new(StateInner {
            cache,
            sessions: Default::default(),
            store,
            vocabularies,
            map_svg,
            map,
            secure_cookies: base_url.starts_with("https://"),
            contact_email: String::new(),
            base_url: base_url.trim_end_matches('/').to_string(),
            mailer,
            oidc,
            trusted_proxies,
            directory,
            clock: Clock::default(),
            decidim_hosts: DEFAULT_DECIDIM_HOSTS.iter().map(|h| h.to_string()).collect(),
            publisher_name: "Regione Emilia-Romagna".into(),
            publisher_ipa_code: "r_emiro".into(),
            metrics: crate::kit::metrics::Metrics::new(None),
            breaker: Default::default(),
        }));
        // Published profiles without a version (demo data, generated ones) get their first.
        agio_app::profile::publish_unversioned(&state).await?;
        Ok(state)
    }

    /// The same state with every cache off (pages, read models, sessions): each request is
    /// answered from the database, to measure that path. Only before anything else holds it.
    pub fn without_caches(mut self) -> Option<AppState> {
        let inner = Arc::get_mut(&mut self.0)?;
        inner.cache = crate::kit::cache::PageCache::off(inner.cache.version());
        Some(self)
    }

    /// The same state with the mailbox people write to; only while nothing else holds it.
    pub fn with_contact(mut self, email: &str) -> Option<AppState> {
        Arc::get_mut(&mut self.0)?.contact_email = email.to_string();
        Some(self)
    }

    /// The same state with this open data publisher; while nothing else holds it.
    pub fn with_publisher(mut self, name: &str, ipa_code: &str) -> Option<AppState> {
        let inner = Arc::get_mut(&mut self.0)?;
        inner.publisher_name = name.to_string();
        inner.publisher_ipa_code = ipa_code.to_string();
        Some(self)
    }

    /// The same state serving `/metrics` to scrapers presenting `token`; while nothing else
    /// holds it.
    pub fn with_metrics_token(mut self, token: Option<&str>) -> Option<AppState> {
        Arc::get_mut(&mut self.0)?.metrics = crate::kit::metrics::Metrics::new(token);
        Some(self)
    }

    /// The same state reading Decidim from these instances only; while nothing else holds it.
    pub fn with_decidim_hosts(mut self, hosts: Vec<String>) -> Option<AppState> {
        Arc::get_mut(&mut self.0)?.decidim_hosts = hosts;
        Some(self)
    }

    /// The same state with another clock; only while nothing else holds it (tests set it up
    /// before building the router).
    pub fn with_clock(mut self, clock: Clock) -> Option<AppState> {
        Arc::get_mut(&mut self.0)?.clock = clock;
        Some(self)
    }
}

/// The cookies of a request as (name, value) pairs, in the order sent.
pub fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// The language chosen with the switch (the first `lang` cookie), Italian otherwise.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookies(headers).find(|(name, _)| *name == "lang").and_then(|(_, value)| Lang::parse(value)).unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Lang, Self::Rejection> {
        Ok(lang_of(&parts.headers))
    }
}

/// One step of the breadcrumb trail; the last one has no link.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// The context of the page layout: language, texts, where we are.
pub struct PageContext {
    pub lang: Lang,
    pub c: &'static Catalogue,
    /// Path and query of this page, for the language switch to come back to.
    pub here: String,
    pub title: String,
    pub crumbs: Vec<Crumb>,
    /// Shows the "Contenuto dimostrativo" banner.
    pub demo: bool,
    /// Which main navigation entry is current.
    pub section: &'static str,
}

impl PageContext {
    pub fn new(lang: Lang, here: &str, section: &'static str, title: impl Into<String>) -> Self {
        let c = lang.catalogue();
        PageContext {
            lang,
            c,
            here: here.to_string(),
            title: title.into(),
            crumbs: vec![Crumb { label: c.t("nav.home").to_string(), href: Some("/".into()) }],
            demo: false,
            section,
        }
    }

    /// Adds a linked step to the trail.
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb { label: label.into(), href: Some(href.into()) });
        self
    }

    /// Closes the trail with the current page (the title).
    pub fn last_crumb(mut self) -> Self {
        self.crumbs.push(Crumb { label: self.title.clone(), href: None });
        self
    }

    pub fn demo(mut self, demo: bool) -> Self {
        self.demo = demo;
        self
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.c.t(key)
    }

    pub fn css(&self) -> &'static str {
        crate::kit::static_files::url("agio.css")
    }

    /// The font files every page uses, preloaded with the style sheet so that the text does
    /// not move when they arrive (the style sheet shows them only if they came in time).
    pub fn fonts(&self) -> [&'static str; 3] {
        crate::kit::static_files::fonts()
    }

    pub fn favicon(&self) -> &'static str {
        crate::kit::static_files::url("favicon.svg")
    }

    pub fn icons(&self) -> &'static str {
        crate::kit::static_files::url("icons.svg")
    }

    /// Link that switches the UI language and comes back here.
    pub fn switch_href(&self) -> String {
        format!("/lingua/{}?next={}", self.lang.other().code(), crate::kit::query::encode(&self.here))
    }

    pub fn number(&self, n: impl Borrow<i64>) -> String {
        crate::kit::i18n::number(self.lang, *n.borrow())
    }

    pub fn opt_number(&self, n: impl Borrow<Option<i64>>) -> String {
        n.borrow().map(|n| crate::kit::i18n::number(self.lang, n)).unwrap_or_else(|| "—".to_string())
    }

    pub fn decimal(&self, v: impl Borrow<Option<f64>>) -> String {
        v.borrow().map(|v| crate::kit::i18n::decimal(self.lang, v)).unwrap_or_else(|| "—".to_string())
    }

    /// An optional text, or a dash when absent.
    pub fn opt<'a>(&self, value: &'a Option<String>) -> &'a str {
        value.as_deref().unwrap_or("—")
    }

    /// A date (or the date part of a timestamp) as 01/02/2025 in Italian, 2025-02-01 in English.
    pub fn date<T: DateText>(&self, value: T) -> String {
        value.date_text().map(|d| crate::kit::i18n::date(self.lang, d)).unwrap_or_else(|| "—".to_string())
    }

    pub fn euros(&self, cents: impl Borrow<i64>) -> String {
        crate::kit::i18n::euros(self.lang, *cents.borrow())
    }

    /// Label of a vocabulary term in the UI language.
    pub fn term<'a>(&self, term: &'a Term) -> &'a str {
        term.label(self.lang.code())
    }

    /// Label of a closed code (status, kind) through the catalogue.
    pub fn label(&self, key: impl AsRef<str>) -> &'static str {
        self.c.label(key.as_ref())
    }

    pub fn is_section(&self, section: &str) -> bool {
        self.section == section
    }
}

/// Text that may hold a date: a `String`, an optional one, or references to them.
pub trait DateText {
    fn date_text(&self) -> Option<&str>;
}

impl DateText for &String {
    fn date_text(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl DateText for &Option<String> {
    fn date_text(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// Gives the memory freed after building the search index back to the system: glibc keeps
/// freed heap for reuse, and the build's garbage (every service read and parsed once) would
/// otherwise stay in the server's resident memory for its whole life.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
