//! What AGIO reads from a Decidim instance (ParteciPA, PartecipAzioni, any Decidim portal) for
//! a territory whose consultation runs there: the process, its phases, its proposals, meetings
//! and accountability results. They are shown apart from the Community Lab's own ideas and
//! meetings, marked "da Decidim", each with a link back to the original; nothing here is
//! written back to Decidim.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::edit::{FieldProblem, Reader};

/// Where an agenda's consultation runs: a Decidim instance and one of its processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecidimSourceEdit {
    /// The instance's public address, e.g. https://partecipazioni.emr.it
    pub instance_url: String,
    /// The process's slug, as in `…/processes/{slug}`.
    pub process_slug: String,
}

impl DecidimSourceEdit {
    /// `allowed_hosts`: the instances this platform may call (a coordinator cannot make the
    /// server fetch an arbitrary address).
    pub fn read(r: &mut Reader, allowed_hosts: &[String]) -> Option<DecidimSourceEdit> {
        let instance_url = r.opt_url("instance_url");
        if instance_url.is_none() && !r.failed("instance_url") {
            r.fail("instance_url", FieldProblem::Required);
        }
        let instance_url = instance_url.map(|u| u.trim_end_matches('/').to_string());
        if let Some(url) = &instance_url {
            if !allowed_hosts.iter().any(|h| host_of(url).eq_ignore_ascii_case(h)) {
                r.fail("instance_url", FieldProblem::HostNotAllowed { allowed: allowed_hosts.to_vec() });
            }
        }
        let process_slug = r.line("process_slug");
        let slug_chars = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !process_slug.is_empty() && !process_slug.chars().all(slug_chars) {
            r.fail("process_slug", FieldProblem::BadCode);
        }
        Some(DecidimSourceEdit { instance_url: instance_url.unwrap_or_default(), process_slug })
    }
}

/// The host (and port, when there is one) of an http(s) address.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit_once('@').map_or(authority, |(_, host)| host)
}

/// An agenda's Decidim source and how its last import went.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DecidimSource {
    #[serde(skip)]
    pub id: String,
    pub instance_url: String,
    pub process_slug: String,
    /// The process's title on Decidim, once imported.
    pub process_title: String,
    /// The process's page on Decidim.
    pub process_url: String,
    /// When the last import finished (RFC 3339), if one has.
    pub synced_at: Option<String>,
    /// Why the last attempt failed, if it did (what was imported before stays).
    pub last_error: Option<DecidimFailure>,
    pub is_demo: bool,
    #[serde(skip)]
    pub version: i64,
    /// The agenda it belongs to, for the page's trail.
    #[serde(skip)]
    pub agenda_title: String,
}

/// Why an import failed: a stable code (unreachable, status, not_graphql, graphql,
/// process_not_found, missing_field, malformed) and what it names.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DecidimFailure {
    pub code: String,
    pub detail: String,
}

/// A phase of the process on Decidim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecidimStep {
    pub id: String,
    pub position: i64,
    pub title: String,
    /// Dates (YYYY-MM-DD) whatever the version sent (dates up to 0.27, date-times after).
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub active: bool,
}

/// A proposal, shown as an idea "da Decidim".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecidimProposal {
    pub id: String,
    pub reference: String,
    pub title: String,
    /// Plain text (Decidim sends HTML; its tags are dropped, never rendered).
    pub body: String,
    /// accepted, rejected, evaluating, withdrawn, or none while unanswered.
    pub state: Option<String>,
    /// The organisation's answer, only once published (with a state).
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub published_at: Option<String>,
    pub updated_at: Option<String>,
    /// Supports ("voti"); none when the component hides them.
    pub supports: Option<i64>,
    /// Endorsements ("adesioni", "likes" from 0.31); none when the version lacks them.
    pub endorsements: Option<i64>,
    pub comments: i64,
    pub category: Option<String>,
    /// The scope, usually a comune.
    pub scope: Option<String>,
    pub official: bool,
    /// The meeting it came out of.
    pub meeting_id: Option<String>,
    pub url: String,
}

/// A meeting of the process on Decidim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecidimMeeting {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    /// in_person, online or hybrid.
    pub kind: String,
    pub place: String,
    pub address: String,
    pub closed: bool,
    pub withdrawn: bool,
    /// The minutes, once closed.
    pub minutes: Option<String>,
    pub attendees: Option<i64>,
    pub contributions: Option<i64>,
    pub organizations: Option<String>,
    pub comments: i64,
    /// The proposals that came out of it (Decidim ids).
    pub proposal_ids: Vec<String>,
    pub updated_at: Option<String>,
    pub url: String,
}

/// An accountability result: a project being carried out, with its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecidimResult {
    pub id: String,
    pub reference: String,
    /// The identifier in another system (a Piano di Zona action, say).
    pub external_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// Percent, 0–100.
    pub progress: Option<f64>,
    pub status: Option<String>,
    pub parent_id: Option<String>,
    pub updated_at: Option<String>,
    pub url: String,
}

/// Everything read from the instance in one import.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DecidimSnapshot {
    pub process_title: String,
    pub process_url: String,
    pub steps: Vec<DecidimStep>,
    pub proposals: Vec<DecidimProposal>,
    pub meetings: Vec<DecidimMeeting>,
    pub results: Vec<DecidimResult>,
    /// Fields the instance's version lacks, left out of the queries (e.g. "Meeting.isWithdrawn").
    pub missing_fields: Vec<String>,
}

/// What an import changed, per kind: new, updated, unchanged items, and those the instance no
/// longer shows (removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct SyncCounts {
    pub new: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub removed: i64,
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToSchema)]
pub struct SyncReport {
    pub steps: SyncCounts,
    pub proposals: SyncCounts,
    pub meetings: SyncCounts,
    pub results: SyncCounts,
    pub missing_fields: Vec<String>,
}

/// What the agenda's Decidim page shows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DecidimImport {
    pub source: DecidimSource,
    pub steps: Vec<DecidimStep>,
    pub proposals: Vec<DecidimProposal>,
    pub meetings: Vec<DecidimMeeting>,
    pub results: Vec<DecidimResult>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_of_an_address_keeps_its_port_and_drops_credentials() {
        assert_eq!(host_of("https://partecipazioni.emr.it/processes/x"), "partecipazioni.emr.it");
        assert_eq!(host_of("http://127.0.0.1:8123"), "127.0.0.1:8123");
        assert_eq!(host_of("https://user:pw@evil.example/api"), "evil.example");
        assert_eq!(host_of("https://partecipa.gov.it?x=1"), "partecipa.gov.it");
    }

    #[test]
    fn only_allowed_instances_can_be_configured() {
        let allowed = vec!["partecipazioni.emr.it".to_string()];
        let read = |url: &str, slug: &str| {
            let (url, slug) = (url.to_string(), slug.to_string());
            let input = move |f: &str| match f {
                "instance_url" => Some(url.clone()),
                "process_slug" => Some(slug.clone()),
                _ => None,
            };
            let mut r = Reader::new(&input);
            let edit = DecidimSourceEdit::read(&mut r, &allowed);
            r.conclude(edit)
        };
        let ok = read("https://partecipazioni.emr.it/", "pdz-2024").unwrap();
        assert_eq!(ok.instance_url, "https://partecipazioni.emr.it");
        let errors = read("https://partecipazioni.emr.it.evil.example", "pdz").unwrap_err();
        assert_eq!(errors[0].field, "instance_url");
        assert!(matches!(errors[0].problem, FieldProblem::HostNotAllowed { .. }));
        let errors = read("https://partecipazioni.emr.it", "../admin").unwrap_err();
        assert_eq!(errors[0].field, "process_slug");
        assert_eq!(read("file:///etc/passwd", "x").unwrap_err()[0].problem, FieldProblem::NotAUrl);
    }
}
