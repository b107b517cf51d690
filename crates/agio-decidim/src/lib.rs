//! The Decidim connector: reads one participatory process of a Decidim instance (its phases,
//! the proposals, meetings and accountability results of its components) through the
//! instance's public GraphQL API, read-only.
//!
//! The queries are in `queries/`, derived from the interface description of Decidim 0.28 kept
//! with its `SOURCE.md` (where it comes from, its licence) in `tests/decidim/`. Instances run different versions: when one answers that a
//! field does not exist (0.31 has no `Meeting.isWithdrawn`, say), the connector asks again
//! without it, if it is a field it can do without, and says which fields were missing.
//! Everything is read before anything is returned: the caller writes all of it or nothing.

mod http;
mod parse;
pub mod text;

use std::collections::HashMap;

use agio_domain::decidim::DecidimSnapshot;
use serde_json::{json, Value};

pub use http::GraphQl;

/// Why an import could not be done; the web layer words each in the UI language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecidimError {
    #[error("the instance cannot be reached: {0}")]
    Unreachable(String),
    #[error("the instance answered HTTP {0}")]
    Status(u16),
    #[error("the instance did not answer with GraphQL JSON")]
    NotGraphQl,
    #[error("the instance reported: {0}")]
    GraphQl(String),
    #[error("the instance has no visible process '{0}'")]
    ProcessNotFound(String),
    #[error("the instance's version lacks {0}, which the import needs")]
    MissingField(String),
    #[error("the instance's answer is not what Decidim sends: {0}")]
    Malformed(String),
}

impl DecidimError {
    /// A stable code, for the i18n key and the API.
    pub fn code(&self) -> &'static str {
        match self {
            DecidimError::Unreachable(_) => "unreachable",
            DecidimError::Status(_) => "status",
            DecidimError::NotGraphQl => "not_graphql",
            DecidimError::GraphQl(_) => "graphql",
            DecidimError::ProcessNotFound(_) => "process_not_found",
            DecidimError::MissingField(_) => "missing_field",
            DecidimError::Malformed(_) => "malformed",
        }
    }

    /// What the message names: the detail, the status, the slug, the field.
    pub fn detail(&self) -> String {
        match self {
            DecidimError::Unreachable(d)
            | DecidimError::GraphQl(d)
            | DecidimError::ProcessNotFound(d)
            | DecidimError::MissingField(d)
            | DecidimError::Malformed(d) => d.clone(),
            DecidimError::Status(s) => s.to_string(),
            DecidimError::NotGraphQl => String::new(),
        }
    }
}

/// One query document and the fields it can do without.
struct Document {
    text: String,
    operation: &'static str,
    optional: &'static [&'static str],
}

const PROCESSES: (&str, &str, &[&str]) =
    (include_str!("../queries/processes.graphql"), "ListProcesses", &["active", "startDate", "endDate"]);
const PROPOSALS: (&str, &str, &[&str]) = (
    include_str!("../queries/proposals.graphql"),
    "ProposalsPage",
    &[
        "reference",
        "body",
        "state",
        "answer",
        "answeredAt",
        "publishedAt",
        "updatedAt",
        "endorsementsCount",
        "voteCount",
        "totalCommentsCount",
        "official",
        "meeting",
        "category",
        "scope",
    ],
);
const MEETINGS: (&str, &str, &[&str]) = (
    include_str!("../queries/meetings.graphql"),
    "MeetingsPage",
    &[
        "reference",
        "description",
        "typeOfMeeting",
        "address",
        "location",
        "isWithdrawn",
        "closingReport",
        "attendeeCount",
        "contributionCount",
        "attendingOrganizations",
        "totalCommentsCount",
        "updatedAt",
        "proposalsFromMeeting",
    ],
);
const RESULTS: (&str, &str, &[&str]) = (
    include_str!("../queries/results.graphql"),
    "ResultsPage",
    &["reference", "externalId", "description", "startDate", "endDate", "progress", "status", "parent", "updatedAt"],
);

impl Document {
    fn new((text, operation, optional): (&str, &'static str, &'static [&'static str])) -> Document {
        Document { text: text.to_string(), operation, optional }
    }

    /// The document without the lines asking for `field` (one field per line in ours).
    fn without(&mut self, field: &str) {
        let asks = |line: &str| {
            let line = line.trim();
            line == field || line.starts_with(&format!("{field} {{")) || line.starts_with(&format!("{field}("))
        };
        self.text = self.text.lines().filter(|l| !asks(l)).collect::<Vec<_>>().join("\n");
    }
}

/// The type and field an "unknown field" error names, in graphql-ruby's words ("Field 'x'
/// doesn't exist on type 'T'", with `extensions.fieldName`) or graphql-core's ("Cannot query
/// field 'x' on type 'T'").
fn unknown_field(error: &Value) -> Option<(String, String)> {
    let ext = &error["extensions"];
    if let (Some(field), Some(on)) = (ext["fieldName"].as_str(), ext["typeName"].as_str()) {
        return Some((on.to_string(), field.to_string()));
    }
    let message = error["message"].as_str()?;
    let rest = message.strip_prefix("Field '").or_else(|| message.strip_prefix("Cannot query field '"))?;
    let (field, rest) = rest.split_once('\'')?;
    let on = rest.split_once("on type '")?.1.split_once('\'')?.0;
    Some((on.to_string(), field.to_string()))
}

/// Reads the process `slug` of the instance, everything at once.
pub async fn fetch_process(instance_url: &str, slug: &str) -> Result<DecidimSnapshot, DecidimError> {
    Connector { api: GraphQl::new(instance_url)?, base: instance_url.trim_end_matches('/').into(), missing: vec![] }
        .fetch(slug)
        .await
}

struct Connector {
    api: GraphQl,
    base: String,
    missing: Vec<String>,
}

/// Attempts per query: each may drop the fields the instance reported missing.
const ATTEMPTS: usize = 4;
/// More pages than any process has: an instance that keeps saying "more" is wrong.
const MAX_PAGES: usize = 2_000;

impl Connector {
    /// Runs a query, dropping the optional fields the instance lacks.
    async fn ask(&mut self, doc: &mut Document, variables: Value) -> Result<Value, DecidimError> {
        for _ in 0..ATTEMPTS {
            let answer = self.api.query(&doc.text, doc.operation, variables.clone()).await?;
            if answer.errors.is_empty() {
                return Ok(answer.data);
            }
            let mut dropped = false;
            for error in &answer.errors {
                match unknown_field(error) {
                    Some((on, field)) if doc.optional.contains(&field.as_str()) => {
                        doc.without(&field);
                        self.missing.push(format!("{on}.{field}"));
                        dropped = true;
                    }
                    Some((on, field)) => return Err(DecidimError::MissingField(format!("{on}.{field}"))),
                    None => {}
                }
            }
            if !dropped {
                let messages: Vec<&str> = answer.errors.iter().filter_map(|e| e["message"].as_str()).collect();
                return Err(DecidimError::GraphQl(messages.join("; ")));
            }
        }
        Err(DecidimError::GraphQl("the instance kept refusing the query".into()))
    }

    /// Every node of a paged connection of a component, de-duplicated by id (cursors are
    /// offsets: rows published meanwhile shift the pages).
    async fn nodes(
        &mut self,
        doc: &mut Document,
        component: &str,
        connection: &str,
    ) -> Result<Vec<Value>, DecidimError> {
        let (mut nodes, mut seen) = (Vec::new(), HashMap::new());
        let mut after = Value::Null;
        for _ in 0..MAX_PAGES {
            let data = self.ask(doc, json!({"componentId": component, "first": 50, "after": after})).await?;
            let page = &data["component"][connection];
            if page.is_null() {
                return Err(DecidimError::Malformed(format!("component {component} has no {connection}")));
            }
            for edge in page["edges"].as_array().into_iter().flatten() {
                let node = &edge["node"];
                let Some(id) = node["id"].as_str() else { continue };
                match seen.get(id) {
                    Some(&at) => nodes[at] = node.clone(),
                    None => {
                        seen.insert(id.to_string(), nodes.len());
                        nodes.push(node.clone());
                    }
                }
            }
            if page["pageInfo"]["hasNextPage"].as_bool() != Some(true) {
                return Ok(nodes);
            }
            match &page["pageInfo"]["endCursor"] {
                Value::String(cursor) if Some(cursor.as_str()) != after.as_str() => after = json!(cursor),
                _ => return Err(DecidimError::Malformed("a next page without a new cursor".into())),
            }
        }
        Err(DecidimError::Malformed(format!("more than {MAX_PAGES} pages of {connection}")))
    }

    async fn fetch(mut self, slug: &str) -> Result<DecidimSnapshot, DecidimError> {
        let data = self.ask(&mut Document::new(PROCESSES), json!({})).await?;
        let processes = data["participatoryProcesses"]
            .as_array()
            .ok_or_else(|| DecidimError::Malformed("no participatoryProcesses list".into()))?;
        let process = processes
            .iter()
            .find(|p| p["slug"].as_str() == Some(slug))
            .ok_or_else(|| DecidimError::ProcessNotFound(slug.to_string()))?;
        let links = parse::Links { base: self.base.clone(), slug: slug.to_string() };
        let mut snapshot = parse::process(process, &links)?;
        let (mut proposals, mut meetings, mut results) =
            (Document::new(PROPOSALS), Document::new(MEETINGS), Document::new(RESULTS));
        for component in process["components"].as_array().into_iter().flatten() {
            let Some(id) = component["id"].as_str() else { continue };
            match component["__typename"].as_str() {
                Some("Proposals") => {
                    for node in self.nodes(&mut proposals, id, "proposals").await? {
                        snapshot.proposals.push(parse::proposal(&node, &links.of(id, "proposals"))?);
                    }
                }
                Some("Meetings") => {
                    for node in self.nodes(&mut meetings, id, "meetings").await? {
                        snapshot.meetings.push(parse::meeting(&node, &links.of(id, "meetings"))?);
                    }
                }
                Some("Accountability") => {
                    for node in self.nodes(&mut results, id, "results").await? {
                        snapshot.results.push(parse::result(&node, &links.of(id, "results"))?);
                    }
                }
                _ => {}
            }
        }
        self.missing.dedup();
        snapshot.missing_fields = self.missing;
        Ok(snapshot)
    }
}

/// Parses answers already read (the demo loads the example responses through this).
pub use parse::{snapshot_from_answers, Links};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_read_from_either_server_library() {
        let ruby = json!({"message": "Field 'isWithdrawn' doesn't exist on type 'Meeting'",
            "extensions": {"code": "undefinedField", "typeName": "Meeting", "fieldName": "isWithdrawn"}});
        assert_eq!(unknown_field(&ruby), Some(("Meeting".into(), "isWithdrawn".into())));
        let core =
            json!({"message": "Cannot query field 'endorsementsCount' on type 'Proposal'. Did you mean 'likesCount'?"});
        assert_eq!(unknown_field(&core), Some(("Proposal".into(), "endorsementsCount".into())));
        assert_eq!(unknown_field(&json!({"message": "Internal server error"})), None);
    }

    #[test]
    fn a_dropped_field_leaves_the_others() {
        let mut doc = Document::new(PROPOSALS);
        doc.without("category");
        doc.without("endorsementsCount");
        assert!(!doc.text.contains("category") && !doc.text.contains("endorsementsCount"));
        assert!(doc.text.contains("scope { name { translations { locale text } } }"));
        assert_eq!(doc.text.matches('{').count(), doc.text.matches('}').count());
    }
}

/// The demo's Decidim content is what an import of the example answers reads.
#[cfg(test)]
mod demo {
    use super::*;

    fn example(name: &str) -> Value {
        let path = format!("{}/../../tests/decidim/example-response-{name}.synthetic.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn demo_file() -> Value {
        let path = format!("{}/../../data/demo/decidim.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_demo_snapshot_is_the_example_answers_imported() {
        let demo = demo_file();
        let links = Links {
            base: demo["source"]["instance_url"].as_str().unwrap().to_string(),
            slug: demo["source"]["process_slug"].as_str().unwrap().to_string(),
        };
        let pages = [example("proposals"), example("meetings"), example("results")];
        let snapshot = snapshot_from_answers(&example("processes"), &pages, &links).unwrap();
        if std::env::var_os("AGIO_WRITE_DEMO").is_some() {
            let mut demo = demo;
            demo["snapshot"] = serde_json::to_value(&snapshot).unwrap();
            let path = format!("{}/../../data/demo/decidim.json", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(path, serde_json::to_string_pretty(&demo).unwrap() + "\n").unwrap();
            return;
        }
        assert_eq!(serde_json::to_value(&snapshot).unwrap(), demo["snapshot"], "AGIO_WRITE_DEMO=1 writes it again");
        assert_eq!(snapshot.proposals.len(), 3);
        let accepted = &snapshot.proposals[0];
        assert_eq!(accepted.state.as_deref(), Some("accepted"));
        assert!(accepted.answer.as_deref().unwrap().starts_with("Proposta accolta."));
        assert_eq!(accepted.url, format!("{}/processes/{}/f/57/proposals/1203", links.base, links.slug));
        assert_eq!(accepted.supports, Some(87));
        assert_eq!(accepted.scope.as_deref(), Some("Budrio"));
        // An answer sent before it is published (no state) is not shown.
        let unanswered = snapshot.proposals.iter().find(|p| p.id == "1215").unwrap();
        assert_eq!((unanswered.state.as_deref(), unanswered.answer.as_deref()), (None, None));
        assert_eq!(snapshot.steps.iter().filter(|s| s.active).count(), 1);
        assert_eq!(snapshot.steps[0].starts_on.as_deref(), Some("2024-02-01"));
        assert_eq!(snapshot.results.iter().filter(|r| r.parent_id.as_deref() == Some("88")).count(), 2);
        assert!(snapshot.meetings[0].minutes.as_deref().unwrap().starts_with("Hanno partecipato 34 persone"));
    }
}
