//! Writing service documents: an import (many at once, in batches) or one edited service.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::DirectoryWrite;
use crate::audit::{AuditRow, WriteTx};
use crate::read::col;
use crate::sql::{columns, Sql};
use crate::Result;

/// Services written per statement: far below the bound-parameter limits of both databases.
const BATCH: usize = 200;

const SERVICE_INSERT: [&str; 10] = [
    "id",
    "slug",
    "name",
    "organization_id",
    "document",
    "digest",
    "last_modified",
    "is_demo",
    "created_at",
    "updated_at",
];

const PLACE_INSERT: [&str; 7] = ["id", "service_id", "position", "comune", "postcode", "latitude", "longitude"];

/// Services being written: what the directory already holds, and the rows of the batch.
pub struct ServiceWriter {
    /// Digest and slug of every stored service, by id.
    existing: HashMap<String, (String, String)>,
    slugs: HashSet<String>,
    /// Stored organisation documents, by id.
    organizations: HashMap<String, String>,
    now: String,
    is_demo: bool,
    pending: Pending,
    report: DirectoryWrite,
}

/// Rows gathered for a batch of services.
#[derive(Default)]
struct Pending {
    services: Vec<Vec<crate::sql::Value>>,
    /// Services updated in place, whose derived rows are rewritten.
    replaced: Vec<String>,
    terms: Vec<Vec<crate::sql::Value>>,
    places: Vec<Vec<crate::sql::Value>>,
    audit: Vec<AuditRow>,
}

/// A service document made ready to write: its stored text and digest, and what is derived
/// from it. Preparing touches no database, so an import prepares on its checking thread while
/// the previous services are being written.
pub struct PreparedService {
    id: String,
    name: String,
    last_modified: Option<String>,
    text: String,
    digest: String,
    organization_id: String,
    /// The organisation the document embeds (without its services), as stored.
    organization: Option<EmbeddedOrganization>,
    terms: Vec<String>,
    places: Vec<Place>,
}

struct EmbeddedOrganization {
    name: String,
    text: String,
}

/// A service-at-location and where it is.
struct Place {
    id: String,
    comune: Option<String>,
    postcode: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl PreparedService {
    pub fn new(document: &Value) -> Self {
        let text = document.to_string();
        let mut terms: Vec<String> = document
            .get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("taxonomy_term_id").and_then(Value::as_str).map(str::to_string))
            .collect();
        terms.sort();
        terms.dedup();
        let sals = document.get("service_at_locations").and_then(Value::as_array).into_iter().flatten();
        let places = sals
            .map(|sal| {
                let location = sal.get("location");
                let number = |field: &str| location.and_then(|l| l.get(field)).and_then(Value::as_f64);
                let address = location.and_then(|l| l.get("addresses")).and_then(|a| a.get(0));
                let address_text =
                    |field: &str| address.and_then(|a| a.get(field)).and_then(Value::as_str).map(str::to_string);
                Place {
                    id: text_of(sal, "id").to_string(),
                    comune: address_text("city"),
                    postcode: address_text("postal_code"),
                    latitude: number("latitude"),
                    longitude: number("longitude"),
                }
            })
            .collect();
        let (organization_id, organization) = match document.get("organization") {
            Some(organization) => {
                let mut stored = organization.clone();
                if let Some(o) = stored.as_object_mut() {
                    o.remove("services");
                }
                let name = text_of(&stored, "name").to_string();
                (text_of(organization, "id"), Some(EmbeddedOrganization { name, text: stored.to_string() }))
            }
            None => (text_of(document, "organization_id"), None),
        };
        PreparedService {
            id: text_of(document, "id").to_string(),
            name: text_of(document, "name").to_string(),
            last_modified: Some(text_of(document, "last_modified")).filter(|m| !m.is_empty()).map(str::to_string),
            digest: digest(&text),
            text,
            organization_id: organization_id.to_string(),
            organization,
            terms,
            places,
        }
    }
}

impl Pending {
    /// The link rows of one service.
    fn derive(&mut self, id: &str, terms: Vec<String>, places: Vec<Place>) {
        self.terms.extend(terms.into_iter().map(|term| vec![id.into(), term.into()]));
        for (position, place) in places.into_iter().enumerate() {
            self.places.push(vec![
                place.id.into(),
                id.into(),
                (position as i64).into(),
                place.comune.into(),
                place.postcode.into(),
                place.latitude.into(),
                place.longitude.into(),
            ]);
        }
    }
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn text_of<'a>(document: &'a Value, field: &str) -> &'a str {
    document.get(field).and_then(Value::as_str).unwrap_or_default()
}

impl WriteTx {
    /// Writes service documents (already validated): new ones are created, changed ones
    /// replaced, identical ones left alone, each change audited with the documents before and
    /// after. `progress` is told how many documents have been handled so far.
    pub async fn save_services(
        &mut self,
        documents: &[Value],
        is_demo: bool,
        mut progress: impl FnMut(usize),
    ) -> Result<DirectoryWrite> {
        let mut writer = self.service_writer(is_demo).await?;
        for (n, document) in documents.iter().enumerate() {
            self.write_service(&mut writer, PreparedService::new(document)).await?;
            if n % BATCH == 0 {
                progress(n + 1);
            }
        }
        let report = self.finish_services(writer).await?;
        progress(documents.len());
        Ok(report)
    }

    /// Starts writing services (see [`WriteTx::save_services`]), one by one: what the
    /// directory holds is read once, rows are written [`BATCH`] services at a time.
    pub async fn service_writer(&mut self, is_demo: bool) -> Result<ServiceWriter> {
        self.take_turns_on_the_directory().await?;
        self.bulk_cache(true).await?;
        let mut existing: HashMap<String, (String, String)> = HashMap::new();
        for row in sqlx::query("SELECT id, digest, slug FROM directory_services").fetch_all(&mut *self.tx).await? {
            existing.insert(col(&row, "id")?, (col(&row, "digest")?, col(&row, "slug")?));
        }
        let slugs = existing.values().map(|(_, s)| s.clone()).collect();
        let mut organizations: HashMap<String, String> = HashMap::new();
        for row in sqlx::query("SELECT id, document FROM directory_organizations").fetch_all(&mut *self.tx).await? {
            organizations.insert(col(&row, "id")?, col(&row, "document")?);
        }
        Ok(ServiceWriter {
            existing,
            slugs,
            organizations,
            now: crate::now(),
            is_demo,
            pending: Pending::default(),
            report: DirectoryWrite::default(),
        })
    }

    /// Writes one service (or leaves it, when its document is the stored one).
    pub async fn write_service(&mut self, w: &mut ServiceWriter, service: PreparedService) -> Result<()> {
        let PreparedService { id, name, last_modified, text, digest, organization_id, organization, terms, places } =
            service;
        let previous = w.existing.get(&id).cloned();
        if previous.as_ref().is_some_and(|(d, _)| *d == digest) {
            w.report.unchanged += 1;
            return Ok(());
        }
        if let Some(organization) = organization {
            self.save_organization(&organization_id, organization, &mut w.organizations, w.is_demo, &w.now).await?;
        }
        let modified = last_modified.unwrap_or_else(|| w.now.clone());
        let mut before = None;
        if let Some((_, slug)) = &previous {
            let row = sqlx::query("SELECT document FROM directory_services WHERE id = $1")
                .bind(id.clone())
                .fetch_one(&mut *self.tx)
                .await?;
            before = Some(col::<String>(&row, "document")?);
            Sql::update(
                "directory_services",
                columns![
                    "name" => name.as_str(), "organization_id" => organization_id, "document" => text,
                    "digest" => digest.clone(), "last_modified" => modified, "updated_at" => w.now.clone(),
                ],
                &id,
            )
            .query()
            .execute(&mut *self.tx)
            .await?;
            sqlx::query("UPDATE directory_services SET version = version + 1 WHERE id = $1")
                .bind(id.clone())
                .execute(&mut *self.tx)
                .await?;
            w.pending.replaced.push(id.clone());
            w.existing.insert(id.clone(), (digest, slug.clone()));
            w.report.updated += 1;
        } else {
            let slug = unique_slug(&name, &id, &mut w.slugs);
            w.pending.services.push(
                columns![
                    "id" => id.clone(), "slug" => slug.clone(), "name" => name.as_str(),
                    "organization_id" => organization_id, "document" => text, "digest" => digest.clone(),
                    "last_modified" => modified, "is_demo" => w.is_demo as i64,
                    "created_at" => w.now.clone(), "updated_at" => w.now.clone(),
                ]
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
            );
            w.existing.insert(id.clone(), (digest, slug));
            w.report.created += 1;
        }
        w.pending.derive(&id, terms, places);
        w.pending.audit.push(AuditRow {
            kind: "service".into(),
            id: id.clone(),
            label: name,
            operation: if before.is_some() { "update" } else { "create" }.into(),
            before,
            after: None,
            after_elsewhere: true,
            note: String::new(),
        });
        w.report.changed.push(id);
        if w.pending.audit.len() >= BATCH {
            self.flush(std::mem::take(&mut w.pending)).await?;
        }
        Ok(())
    }

    /// Writes what is left and tells what was done.
    pub async fn finish_services(&mut self, mut w: ServiceWriter) -> Result<DirectoryWrite> {
        self.flush(std::mem::take(&mut w.pending)).await?;
        self.bulk_cache(false).await?;
        Ok(w.report)
    }

    /// SQLite: a larger page cache while a batch of services is written (their indexes are keyed
    /// by random UUIDs: with the default 2 MB cache, 100,000 services take twice as long), the
    /// default again after, so that the connection goes back to the pool small. 64 MiB keeps an
    /// import within 300 MB whatever the file's size (`docs/benchmarks.md`).
    async fn bulk_cache(&mut self, bulk: bool) -> Result<()> {
        if self.backend == crate::Backend::Sqlite {
            let pragma = if bulk { "PRAGMA cache_size = -65536" } else { "PRAGMA cache_size = -2000" };
            sqlx::query(pragma).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Writes what [`Pending`] gathered: the new services, their derived rows (after removing
    /// those of the replaced ones), their audit records.
    async fn flush(&mut self, pending: Pending) -> Result<()> {
        if !pending.services.is_empty() {
            self.execute(Sql::insert_rows("directory_services", &SERVICE_INSERT, pending.services)).await?;
        }
        if !pending.replaced.is_empty() {
            for table in ["directory_service_terms", "directory_service_at_locations"] {
                let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE service_id IN ("));
                sql.bind_list(pending.replaced.iter().cloned()).push(")");
                self.execute(sql).await?;
            }
        }
        if !pending.terms.is_empty() {
            self.execute(Sql::insert_rows("directory_service_terms", &["service_id", "term_id"], pending.terms))
                .await?;
        }
        if !pending.places.is_empty() {
            self.execute(Sql::insert_rows("directory_service_at_locations", &PLACE_INSERT, pending.places)).await?;
        }
        self.record_rows(pending.audit).await
    }

    /// Writers of services take turns on the whole directory: an import reads what the
    /// directory holds once, and an edit's version check and its audited "before" must see the
    /// import's documents (writers elsewhere do not wait for it).
    async fn take_turns_on_the_directory(&mut self) -> Result<()> {
        self.take_turns_on("directory_services", "directory", "all").await
    }

    /// Replaces one service's document if nobody changed it since `expected` (its version);
    /// the new version, or None when it is stale (nothing written).
    pub async fn update_service(&mut self, document: &Value, expected: i64) -> Result<Option<i64>> {
        self.take_turns_on_the_directory().await?;
        let id = text_of(document, "id").to_string();
        let row = sqlx::query("SELECT version FROM directory_services WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        let version: i64 = col(&row, "version")?;
        if version != expected {
            return Ok(None);
        }
        let written = self.save_services(std::slice::from_ref(document), false, |_| {}).await?;
        Ok(Some(if written.changed.is_empty() { version } else { version + 1 }))
    }

    /// Creates or refreshes the organisation a service document embeds.
    async fn save_organization(
        &mut self,
        id: &str,
        organization: EmbeddedOrganization,
        known: &mut HashMap<String, String>,
        is_demo: bool,
        now: &str,
    ) -> Result<()> {
        let EmbeddedOrganization { name, text } = organization;
        match known.get(id) {
            Some(stored) if *stored == text => return Ok(()),
            Some(_) => {
                Sql::update(
                    "directory_organizations",
                    columns!["name" => name, "document" => text.clone(), "updated_at" => now],
                    id,
                )
                .query()
                .execute(&mut *self.tx)
                .await?;
            }
            None => {
                Sql::insert(
                    "directory_organizations",
                    columns![
                        "id" => id, "name" => name, "document" => text.clone(),
                        "is_demo" => is_demo as i64, "updated_at" => now,
                    ],
                )
                .query()
                .execute(&mut *self.tx)
                .await?;
            }
        }
        known.insert(id.to_string(), text);
        // The AGIO organisation of the same name, if any: its referents manage these services.
        sqlx::query(
            "UPDATE directory_organizations SET agio_organization_id = \
             (SELECT o.id FROM organizations o WHERE o.name = directory_organizations.name) WHERE id = $1",
        )
        .bind(id.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

fn unique_slug(name: &str, id: &str, taken: &mut HashSet<String>) -> String {
    let base = match agio_domain::slugify(name) {
        s if s.is_empty() => "servizio".to_string(),
        s => s.chars().take(80).collect::<String>().trim_end_matches('-').to_string(),
    };
    let mut slug = base.clone();
    let mut length = 8;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{}", &id.replace('-', "")[..length.min(32)]);
        length += 4;
    }
    slug
}
