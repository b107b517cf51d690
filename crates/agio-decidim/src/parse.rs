//! From Decidim's JSON to AGIO's types. Multilingual texts are read in Italian (else the first
//! language given); HTML becomes plain text; dates are cut to YYYY-MM-DD whatever the version.

use agio_domain::decidim::{DecidimMeeting, DecidimProposal, DecidimResult, DecidimSnapshot, DecidimStep};
use serde_json::Value;

use crate::text::plain_text;
use crate::DecidimError;

/// Where a process's pages are on its instance.
#[derive(Debug, Clone)]
pub struct Links {
    pub base: String,
    pub slug: String,
}

impl Links {
    fn process(&self) -> String {
        format!("{}/processes/{}", self.base, self.slug)
    }

    /// The address of an item of a component: `{process}/f/{component}/{kind}/{id}`.
    pub(crate) fn of(&self, component: &str, kind: &str) -> ItemLinks {
        ItemLinks { prefix: format!("{}/f/{component}/{kind}", self.process()) }
    }
}

pub(crate) struct ItemLinks {
    prefix: String,
}

impl ItemLinks {
    fn item(&self, id: &str) -> String {
        format!("{}/{id}", self.prefix)
    }
}

/// The Italian text of a `TranslatedField` (else the first text given).
fn translated(v: &Value) -> Option<String> {
    let translations = v["translations"].as_array()?;
    let text_in = |locale: &str| {
        translations.iter().find(|t| t["locale"] == locale).and_then(|t| t["text"].as_str()).filter(|t| !t.is_empty())
    };
    text_in("it")
        .or_else(|| translations.iter().find_map(|t| t["text"].as_str().filter(|t| !t.is_empty())))
        .map(plain_text)
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn date(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    (s.len() >= 10 && s.is_char_boundary(10)).then(|| s[..10].to_string())
}

fn required(v: &Value, what: &str) -> Result<String, DecidimError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(DecidimError::Malformed(format!("{what} is missing"))),
    }
}

fn whole(v: &Value) -> Option<i64> {
    v.as_i64()
}

pub(crate) fn process(p: &Value, links: &Links) -> Result<DecidimSnapshot, DecidimError> {
    let mut steps = Vec::new();
    for s in p["steps"].as_array().into_iter().flatten() {
        steps.push(DecidimStep {
            id: required(&s["id"], "a step's id")?,
            position: s["position"].as_i64().unwrap_or(steps.len() as i64),
            title: translated(&s["title"]).unwrap_or_default(),
            starts_on: date(&s["startDate"]),
            ends_on: date(&s["endDate"]),
            active: s["active"].as_bool().unwrap_or(false),
        });
    }
    steps.sort_by_key(|s| s.position);
    Ok(DecidimSnapshot {
        process_title: translated(&p["title"]).unwrap_or_else(|| links.slug.clone()),
        process_url: links.process(),
        steps,
        ..DecidimSnapshot::default()
    })
}

pub(crate) fn proposal(n: &Value, links: &ItemLinks) -> Result<DecidimProposal, DecidimError> {
    let id = required(&n["id"], "a proposal's id")?;
    let state = text(&n["state"]).filter(|s| !s.is_empty() && s != "not_answered");
    Ok(DecidimProposal {
        reference: text(&n["reference"]).unwrap_or_default(),
        title: translated(&n["title"]).unwrap_or_default(),
        body: translated(&n["body"]).unwrap_or_default(),
        // 0.26–0.28 send the answer before it is published: shown only with a state.
        answer: state.as_ref().and_then(|_| translated(&n["answer"])),
        answered_at: state.as_ref().and_then(|_| text(&n["answeredAt"])),
        state,
        published_at: text(&n["publishedAt"]),
        updated_at: text(&n["updatedAt"]),
        supports: whole(&n["voteCount"]),
        endorsements: whole(&n["endorsementsCount"]),
        comments: whole(&n["totalCommentsCount"]).unwrap_or(0),
        category: translated(&n["category"]["name"]),
        scope: translated(&n["scope"]["name"]),
        official: n["official"].as_bool().unwrap_or(false),
        meeting_id: text(&n["meeting"]["id"]),
        url: links.item(&id),
        id,
    })
}

pub(crate) fn meeting(n: &Value, links: &ItemLinks) -> Result<DecidimMeeting, DecidimError> {
    let id = required(&n["id"], "a meeting's id")?;
    Ok(DecidimMeeting {
        reference: text(&n["reference"]).unwrap_or_default(),
        title: translated(&n["title"]).unwrap_or_default(),
        description: translated(&n["description"]).unwrap_or_default(),
        starts_at: required(&n["startTime"], "a meeting's start")?,
        ends_at: required(&n["endTime"], "a meeting's end")?,
        kind: text(&n["typeOfMeeting"]).unwrap_or_default(),
        place: translated(&n["location"]).unwrap_or_default(),
        address: text(&n["address"]).unwrap_or_default(),
        closed: n["closed"].as_bool().unwrap_or(false),
        withdrawn: n["isWithdrawn"].as_bool().unwrap_or(false),
        minutes: translated(&n["closingReport"]),
        attendees: whole(&n["attendeeCount"]),
        contributions: whole(&n["contributionCount"]),
        organizations: text(&n["attendingOrganizations"]).filter(|o| !o.trim().is_empty()),
        comments: whole(&n["totalCommentsCount"]).unwrap_or(0),
        proposal_ids: n["proposalsFromMeeting"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| text(&p["id"]))
            .collect(),
        updated_at: text(&n["updatedAt"]),
        url: links.item(&id),
        id,
    })
}

pub(crate) fn result(n: &Value, links: &ItemLinks) -> Result<DecidimResult, DecidimError> {
    let id = required(&n["id"], "a result's id")?;
    Ok(DecidimResult {
        reference: text(&n["reference"]).unwrap_or_default(),
        external_id: text(&n["externalId"]).filter(|e| !e.is_empty()),
        title: translated(&n["title"]).unwrap_or_default(),
        description: translated(&n["description"]).unwrap_or_default(),
        starts_on: date(&n["startDate"]),
        ends_on: date(&n["endDate"]),
        progress: n["progress"].as_f64().map(|p| p.clamp(0.0, 100.0)),
        status: translated(&n["status"]["name"]),
        parent_id: text(&n["parent"]["id"]),
        updated_at: text(&n["updatedAt"]),
        url: links.item(&id),
        id,
    })
}

/// A snapshot from answers already in hand: the `ListProcesses` answer and one answer per
/// component page (each `{"data": {"component": …}}`), as the instance sent them.
pub fn snapshot_from_answers(
    processes: &Value,
    pages: &[Value],
    links: &Links,
) -> Result<DecidimSnapshot, DecidimError> {
    let process = processes["data"]["participatoryProcesses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["slug"] == links.slug.as_str())
        .ok_or_else(|| DecidimError::ProcessNotFound(links.slug.clone()))?;
    let mut snapshot = self::process(process, links)?;
    for page in pages {
        let component = &page["data"]["component"];
        let id = required(&component["id"], "a component's id")?;
        let nodes = |connection: &str| {
            component[connection]["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["node"].clone())
                .collect::<Vec<_>>()
        };
        match component["__typename"].as_str() {
            Some("Proposals") => {
                for n in nodes("proposals") {
                    snapshot.proposals.push(proposal(&n, &links.of(&id, "proposals"))?);
                }
            }
            Some("Meetings") => {
                for n in nodes("meetings") {
                    snapshot.meetings.push(meeting(&n, &links.of(&id, "meetings"))?);
                }
            }
            Some("Accountability") => {
                for n in nodes("results") {
                    snapshot.results.push(result(&n, &links.of(&id, "results"))?);
                }
            }
            _ => {}
        }
    }
    Ok(snapshot)
}
