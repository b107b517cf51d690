//! In-memory cache of rendered public responses (pages and API reads).
//!
//! Public content changes only when data is written, so a rendered page stays valid until the
//! data version moves. Each entry remembers the version it was rendered at; `AppState` holds the
//! current version, which this instance moves on its own writes and `watch_data_version` on
//! others' (at once when PostgreSQL notifies it, else within a second of polling).
//! Requests carrying any cookie but `lang` (a signed-in person) or credentials are never cached
//! here whole; their pages keep what they share with others through `PageCache::read` (read
//! models) and `PageCache::page` (a page rendered for everyone who sees the same tools).

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::kit::state::{cookies, lang_of, AppState};

/// Bytes of bodies kept at most; past that the cache starts again empty. Any query string makes
/// a new key, so this bound (not the number of URLs) is what keeps memory flat.
const MAX_BYTES: usize = 24 * 1024 * 1024;
/// Bodies larger than this are not kept.
const MAX_BODY: usize = 512 * 1024;
/// Read models kept at most; past that the reads start again empty (unknown slugs are kept
/// too, as `None`, so this bound is what anonymous traffic meets).
const MAX_READS: usize = 20_000;

struct Entry {
    version: u64,
    /// The answer's headers (content type, download name, CORS…), replayed on every hit.
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

type Reads = HashMap<String, (u64, Arc<dyn Any + Send + Sync>)>;

#[derive(Default)]
pub struct PageCache {
    version: AtomicU64,
    entries: RwLock<Entries>,
    reads: RwLock<Reads>,
    /// Off for measuring the path without any cache (`AGIO_CACHE=off`): nothing is kept.
    off: bool,
    /// Lookups answered from memory, and those that were not (for `/metrics`).
    hits: AtomicU64,
    misses: AtomicU64,
}

impl PageCache {
    pub fn new(version: u64) -> Self {
        PageCache { version: AtomicU64::new(version), ..PageCache::default() }
    }

    /// A cache that keeps nothing: every request is rendered from the database.
    pub fn off(version: u64) -> Self {
        PageCache { off: true, ..PageCache::new(version) }
    }

    /// The data version the cached answers belong to.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn is_off(&self) -> bool {
        self.off
    }

    /// Lookups of pages and read models so far: (answered from memory, not).
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A read model for the current data version: from memory, or `load`ed and kept. `key`
    /// names the query and its arguments; `T` must be the same type for the same key.
    pub async fn read<T, E>(&self, key: String, load: impl Future<Output = Result<T, E>>) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
    {
        let version = self.version();
        if !self.off {
            let reads = self.reads.read().unwrap_or_else(|e| e.into_inner());
            let kept = reads.get(&key).filter(|(v, _)| *v == version).and_then(|(_, r)| r.clone().downcast::<T>().ok());
            self.count(kept.is_some());
            if let Some(kept) = kept {
                return Ok(kept);
            }
        }
        let loaded = Arc::new(load.await?);
        if !self.off {
            let mut reads = self.reads.write().unwrap_or_else(|e| e.into_inner());
            if reads.len() >= MAX_READS {
                reads.clear();
            }
            reads.insert(key, (version, loaded.clone()));
        }
        Ok(loaded)
    }

    /// A page shared by everyone whose request gives the same `key` (the address, the language
    /// and all that is personal on the page): from memory, or `render`ed and kept. An empty key
    /// keeps nothing (the page is kept whole elsewhere, or not at all).
    pub async fn page<E>(
        &self,
        key: String,
        render: impl Future<Output = Result<String, E>>,
    ) -> Result<axum::response::Html<Bytes>, E> {
        if let Some((_, body)) = (!key.is_empty()).then(|| self.get(&key)).flatten() {
            return Ok(axum::response::Html(body));
        }
        let version = self.version();
        let body = Bytes::from(render.await?);
        if body.len() <= MAX_BODY && !key.is_empty() {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            self.put(key, version, headers, body.clone());
        }
        Ok(axum::response::Html(body))
    }

    fn clear(entries: &mut Entries) {
        entries.map.clear();
        entries.bytes = 0;
    }

    /// Records the current data version; older entries stop being served.
    /// Moves to a data version; true when it is a new one (the cached pages are dropped).
    pub fn set_version(&self, version: u64) -> bool {
        let changed = self.version.swap(version, Ordering::AcqRel) != version;
        if changed {
            Self::clear(&mut self.entries.write().unwrap_or_else(|e| e.into_inner()));
            self.reads.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
        changed
    }

    fn get(&self, key: &str) -> Option<(HeaderMap, Bytes)> {
        if self.off {
            return None;
        }
        let version = self.version.load(Ordering::Acquire);
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let kept = entries.map.get(key).filter(|e| e.version == version).map(|e| (e.headers.clone(), e.body.clone()));
        self.count(kept.is_some());
        kept
    }

    fn put(&self, key: String, version: u64, headers: HeaderMap, body: Bytes) {
        if self.off {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        // What an entry costs: its body and its key (a query string the asker chose).
        let cost = body.len() + key.len();
        if entries.bytes + cost > MAX_BYTES {
            Self::clear(&mut entries);
        }
        entries.bytes += cost;
        let key_len = key.len();
        if let Some(old) = entries.map.insert(key, Entry { version, headers, body }) {
            entries.bytes -= old.body.len() + key_len;
        }
    }
}

/// The cache key of a request, or None when it must not be cached: not a GET, or a cookie
/// other than `lang` or an Authorization header (the answer may then depend on who asks). The language is read exactly as
/// the pages read it, so a page is always stored under the language it was rendered in.
fn key(method: &Method, headers: &HeaderMap, path_and_query: &str) -> Option<String> {
    let personal = cookies(headers).any(|(name, _)| name != "lang") || headers.contains_key(header::AUTHORIZATION);
    if method != Method::GET || personal {
        return None;
    }
    // The directory's pages say whether a service is open now: they are kept for the minute.
    if path_and_query.starts_with("/servizi") {
        let minute = time::OffsetDateTime::now_utc().unix_timestamp() / 60;
        return Some(format!("{} {minute} {path_and_query}", lang_of(headers).code()));
    }
    Some(format!("{} {path_and_query}", lang_of(headers).code()))
}

pub async fn serve_cached(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path_and_query = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let Some(key) = key(request.method(), request.headers(), &path_and_query) else {
        return next.run(request).await;
    };
    if let Some((headers, body)) = state.cache.get(&key) {
        return (headers, body).into_response();
    }
    let version = state.cache.version.load(Ordering::Acquire);
    let response = next.run(request).await;
    // A streamed body (the directory's whole export) goes out as it comes, never held whole.
    let streamed = axum::body::HttpBody::size_hint(response.body()).exact().is_none();
    // An answer negotiated on the request's headers (`Vary`) is not the same for every asker.
    let cacheable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::VARY)
        && response.headers().contains_key(header::CONTENT_TYPE)
        && !streamed;
    if !cacheable {
        return response;
    }
    let (parts, body) = response.into_parts();
    match body.collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            if bytes.len() <= MAX_BODY {
                let mut headers = parts.headers.clone();
                headers.remove(header::CONTENT_LENGTH);
                state.cache.put(key, version, headers, bytes.clone());
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => crate::kit::error::AppError::Internal(format!("reading a response body: {e}")).into_response(),
    }
}

/// How often an instance reads the data version when nothing told it of a write.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long the listener waits before connecting again after losing PostgreSQL.
const LISTEN_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// Keeps this instance's pages and search index up to date with the writes of every instance:
/// at once when PostgreSQL tells of one, and by reading the data version every `poll_every`,
/// which makes up for a notification lost while the listener reconnected (and is all there is on
/// SQLite).
pub async fn watch_data_version(state: AppState, poll_every: Duration) {
    let told = Arc::new(tokio::sync::Notify::new());
    tokio::spawn(listen_for_writes(state.store.clone(), told.clone()));
    // The first look after `poll_every`: the state was built at the current version.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + poll_every, poll_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let polled = tokio::select! {
            _ = tick.tick() => true,
            _ = told.notified() => false,
        };
        if state.store.is_closed() {
            return;
        }
        // At each poll the counted writes are folded, so that reading the version counts a
        // second's worth of rows at most.
        if polled {
            match state.store.fold_data_writes().await {
                // SQLite held by a long write (an import): folded at a later poll.
                Err(e) if e.is_unavailable() => tracing::debug!(error = %e, "the counted writes wait to be folded"),
                Err(e) => tracing::warn!(error = %e, "cannot fold the counted writes"),
                Ok(()) => {}
            }
        }
        match state.store.data_version().await {
            Ok(version) => {
                // Another instance wrote: its changes reach this one's pages and index.
                if state.cache.set_version(version as u64) {
                    if let Err(e) = state.directory.sync(&state.store).await {
                        tracing::warn!(error = %e, "cannot bring the directory index up to date");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the data version"),
        }
    }
}

/// Wakes the watcher whenever PostgreSQL tells of a write (on SQLite it returns at once).
async fn listen_for_writes(store: agio_store::Store, told: Arc<tokio::sync::Notify>) {
    loop {
        match store.change_listener().await {
            Ok(None) => return,
            // Writes committed while not listening are found by the polling.
            Ok(Some(mut listener)) => loop {
                match listener.next().await {
                    Ok(true) => told.notify_one(),
                    Ok(false) => {
                        tracing::warn!("lost PostgreSQL's notifications of writes for a moment: listening again");
                        told.notify_one();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for PostgreSQL's notifications of writes");
                        break;
                    }
                }
            },
            Err(e) if !store.is_closed() => {
                tracing::warn!(error = %e, "cannot listen for PostgreSQL's notifications of writes")
            }
            Err(_) => return,
        }
        tokio::time::sleep(LISTEN_AGAIN_AFTER).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_language_and_skips_other_cookies() {
        let mut h = HeaderMap::new();
        assert_eq!(key(&Method::GET, &h, "/agende?x=1").as_deref(), Some("it /agende?x=1"));
        h.insert(header::COOKIE, HeaderValue::from_static("lang=en"));
        assert_eq!(key(&Method::GET, &h, "/").as_deref(), Some("en /"));
        h.insert(header::COOKIE, HeaderValue::from_static("lang=en; session=abc"));
        assert_eq!(key(&Method::GET, &h, "/"), None);
        // Two lang cookies: the key follows the one the page is rendered in (the first).
        h.insert(header::COOKIE, HeaderValue::from_static("lang=en; lang=it"));
        assert_eq!(key(&Method::GET, &h, "/").as_deref(), Some("en /"));
        assert_eq!(lang_of(&h).code(), "en");
        assert_eq!(key(&Method::POST, &HeaderMap::new(), "/"), None);
        let minute = (time::OffsetDateTime::now_utc().unix_timestamp() / 60).to_string();
        let directory = key(&Method::GET, &HeaderMap::new(), "/servizi?open=1").unwrap();
        assert!(directory.contains(&minute) || directory.contains(&(minute.parse::<i64>().unwrap() + 1).to_string()));
    }

    #[test]
    fn a_new_version_drops_old_entries() {
        let cache = PageCache::new(1);
        cache.put("it /".into(), 1, HeaderMap::new(), Bytes::from_static(b"v1"));
        assert_eq!(cache.get("it /").unwrap().1, Bytes::from_static(b"v1"));
        cache.set_version(2);
        assert!(cache.get("it /").is_none());
        // A page rendered while the version moved is not served for the new version.
        cache.put("it /x".into(), 1, HeaderMap::new(), Bytes::from_static(b"old"));
        assert!(cache.get("it /x").is_none());
    }

    #[test]
    fn memory_stays_bounded() {
        let cache = PageCache::new(1);
        let page = Bytes::from(vec![b'x'; 100 * 1024]);
        for i in 0..1000 {
            cache.put(format!("it /?x={i}"), 1, HeaderMap::new(), page.clone());
        }
        assert!(cache.entries.read().unwrap().bytes <= MAX_BYTES);
        assert!(cache.get("it /?x=999").is_some());
    }
}
