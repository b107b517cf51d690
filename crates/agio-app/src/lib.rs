//! The application layer: what AGIO does, whoever asks — the web server's forms and API, or the
//! command line. Editing through one `Editor` per record, creating records, archiving, an
//! action's lists, and the services directory (its search index and its all-or-nothing import).
//! It decides with `agio_domain::access`, stores with `agio_store`, and knows nothing of HTTP:
//! its answers are values and `Error`s that each caller turns into its own kind of reply.

pub mod archive;
pub mod delivery;
pub mod directory;
pub mod editors;
pub mod frameworks;
pub mod gaps;
pub mod lab;
pub mod lab_decidim;
pub mod lab_meetings;
pub mod lab_pacts;
pub mod lab_representatives;
pub mod monitoring;
pub mod monitoring_sheet;
pub mod opendata;
pub mod parts;
pub mod profile;
pub mod records;
pub mod zone_plan;

use std::future::Future;

use agio_domain::access::{self, Decision, Operation, Principal, Target};
use agio_domain::model::Term;
use agio_domain::Vocabulary;
use agio_store::{Store, StoreError};

/// Why the application refused or failed to do something.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Nothing there, or nothing this person may know exists.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The change clashes with what is stored (a concurrent request got there first); nothing
    /// was saved.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Refused by the Community Lab's rules (the phase, a limit), although the person may take
    /// part; nothing was saved.
    #[error("refused: {0:?}")]
    Refused(agio_domain::lab::Refusal),
    /// The database cannot be reached now; the same request may succeed in a moment.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database may be down (the connection refused or cut, the pool waiting in vain):
    /// unavailable, and worth checking for the requests that follow.
    #[error("the database may be out of reach: {0}")]
    Unreachable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// A broken rule of the database is the caller's conflict, never an internal error; the
/// features that can name the field turn it into a field error first (see `parts`).
impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match (&e, e.violation()) {
            (StoreError::Conflict(what), _) => Error::Conflict(what.clone()),
            (_, Some(violation)) => Error::Conflict(format!("{violation:?}: {e}")),
            _ if e.is_unreachable() => Error::Unreachable(e.to_string()),
            _ if e.is_unavailable() => Error::Unavailable(e.to_string()),
            _ => Error::Internal(e.to_string()),
        }
    }
}

/// Asks the authorisation module: allowed, forbidden, or not found where existence must not
/// leak.
pub fn require(who: Option<&Principal>, operation: Operation, target: &Target) -> Result<(), Error> {
    match access::decide(who, operation, target) {
        Decision::Allow => Ok(()),
        Decision::Hidden => Err(Error::NotFound),
        Decision::Forbidden => Err(Error::Forbidden),
    }
}

/// What the application works with, provided by its host (the web server's state, the CLI).
pub trait Context: Send + Sync {
    fn store(&self) -> &Store;
    fn vocabularies(&self) -> &Vocabularies;
    /// The directory of services and its search index (the profiles read their public services there).
    fn directory(&self) -> &directory::Directory;
    /// Called after every write: the host drops what it rendered from older data and brings
    /// the directory's index up to date.
    fn after_write(&self) -> impl Future<Output = Result<(), Error>> + Send;
}

/// Controlled vocabularies, read once at start (they change only by migration).
#[derive(Debug, Clone, Default)]
pub struct Vocabularies {
    pub target_group: Vec<Term>,
    pub life_stage: Vec<Term>,
    pub theme: Vec<Term>,
    pub funding_source: Vec<Term>,
    pub organization_type: Vec<Term>,
    pub need: Vec<Term>,
}

impl Vocabularies {
    pub async fn load(store: &Store) -> Result<Self, Error> {
        Ok(Vocabularies {
            target_group: store.terms(Vocabulary::TargetGroup).await?,
            life_stage: store.terms(Vocabulary::LifeStage).await?,
            theme: store.terms(Vocabulary::Theme).await?,
            funding_source: store.terms(Vocabulary::FundingSource).await?,
            organization_type: store.terms(Vocabulary::OrganizationType).await?,
            need: store.terms(Vocabulary::Need).await?,
        })
    }
}
