//! The directory of welfare services: HSDS service documents, stored whole, with the columns
//! and link tables derived from them on every write (see `docs/directory.md`).

use std::collections::HashMap;

use agio_directory::taxonomy::{term_id, DIRECTORY_VOCABULARIES};
use agio_domain::{Page, PageRequest};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::audit::{AuditRow, WriteTx};
use crate::read::{col, flag};
use crate::sql::{columns, Sql};
use crate::{Result, Store, StoreError};

/// A stored service: its document and what AGIO keeps beside it.
#[derive(Debug, Clone)]
pub struct StoredService {
    pub id: String,
    pub slug: String,
    pub document: Value,
    pub is_demo: bool,
    pub updated_at: String,
    /// Changes with every write (optimistic concurrency of the edit form).
    pub version: i64,
}

/// What a write of service documents did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DirectoryWrite {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Ids of the services created or updated (the search index re-reads them).
    pub changed: Vec<String>,
}

/// Filters of the HSDS API's lists that SQL answers.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub organization_id: Option<String>,
    /// Services carrying any of these taxonomy terms.
    pub term_ids: Option<Vec<String>>,
    /// RFC 3339: services modified on or after.
    pub modified_after: Option<String>,
    /// Only these services (the matches of a full-text search).
    pub ids: Option<Vec<String>>,
}

/// Where a reading of every service has come to (see `directory_services_batch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceCursor {
    Start,
    /// After this service in the list's order.
    After {
        name: String,
        id: String,
    },
    /// This far into a search's matches.
    Position(usize),
    End,
}

impl ServiceCursor {
    /// The first cursor for `filter`: a search's matches are read by position.
    pub fn start(filter: &ServiceFilter) -> ServiceCursor {
        match filter.ids {
            Some(_) => ServiceCursor::Position(0),
            None => ServiceCursor::Start,
        }
    }
}

/// A service-at-location row, with the place it is at.
#[derive(Debug, Clone)]
pub struct StoredServiceAtLocation {
    pub id: String,
    pub service_id: String,
    pub position: usize,
    pub distance_m: Option<f64>,
}

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
    slugs: std::collections::HashSet<String>,
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

fn stored_service(row: &AnyRow) -> Result<StoredService> {
    Ok(StoredService {
        id: col(row, "id")?,
        slug: col(row, "slug")?,
        document: document(row)?,
        is_demo: flag(row, "is_demo")?,
        updated_at: col(row, "updated_at")?,
        version: col(row, "version")?,
    })
}

const SERVICE_COLUMNS: &str =
    "SELECT s.id, s.slug, s.document, s.is_demo, s.updated_at, s.version FROM directory_services s";

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

    /// SQLite: a large page cache while a batch of services is written (their indexes are keyed
    /// by random UUIDs: with the default 2 MB cache, 100,000 services take twice as long),
    /// the default again after, so that the connection goes back to the pool small.
    async fn bulk_cache(&mut self, bulk: bool) -> Result<()> {
        if self.backend == crate::Backend::Sqlite {
            let pragma = if bulk { "PRAGMA cache_size = -262144" } else { "PRAGMA cache_size = -2000" };
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

    /// Replaces one service's document if nobody changed it since `expected` (its version);
    /// the new version, or None when it is stale (nothing written).
    pub async fn update_service(&mut self, document: &Value, expected: i64) -> Result<Option<i64>> {
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

fn unique_slug(name: &str, id: &str, taken: &mut std::collections::HashSet<String>) -> String {
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

impl Store {
    /// One service by id or slug.
    pub async fn directory_service(&self, key: &str) -> Result<Option<StoredService>> {
        let mut sql = Sql::new(SERVICE_COLUMNS);
        sql.push(" WHERE s.id = ").bind(key).push(" OR s.slug = ").bind(key);
        sql.fetch_optional(&self.pool).await?.as_ref().map(stored_service).transpose()
    }

    /// Services by id, in the order given (missing ids are skipped).
    pub async fn directory_services_by_id(&self, ids: &[String]) -> Result<Vec<StoredService>> {
        let mut found: HashMap<String, StoredService> = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(SERVICE_COLUMNS);
            sql.push(" WHERE s.id IN (").bind_list(chunk.iter().cloned()).push(")");
            for row in sql.fetch_all(&self.pool).await? {
                let service = stored_service(&row)?;
                found.insert(service.id.clone(), service);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Every service, `batch` at a time in id order after `after` (to rebuild the search index
    /// without holding the whole directory twice).
    pub async fn directory_services_after(&self, after: &str, batch: i64) -> Result<Vec<StoredService>> {
        let mut sql = Sql::new(SERVICE_COLUMNS);
        sql.push(" WHERE s.id > ").bind(after).push(" ORDER BY s.id LIMIT ").bind(batch);
        sql.fetch_all(&self.pool).await?.iter().map(stored_service).collect()
    }

    pub async fn directory_service_count(&self) -> Result<i64> {
        col(&sqlx::query("SELECT COUNT(*) AS n FROM directory_services").fetch_one(&self.pool).await?, "n")
    }

    /// A page of services matching `filter`, by name; with `filter.ids`, in the order of ids.
    pub async fn directory_service_page(
        &self,
        filter: &ServiceFilter,
        page: PageRequest,
    ) -> Result<Page<StoredService>> {
        if let Some(ids) = &filter.ids {
            // The order is the search's: filter in SQL, then page over the ranked ids.
            let mut kept = std::collections::HashSet::new();
            for chunk in ids.chunks(500) {
                let mut sql = Sql::new("SELECT s.id FROM directory_services s WHERE s.id IN (");
                sql.bind_list(chunk.iter().cloned()).push(")");
                push_filter(&mut sql, filter);
                for row in sql.fetch_all(&self.pool).await? {
                    kept.insert(col::<String>(&row, "id")?);
                }
            }
            let ranked: Vec<String> = ids.iter().filter(|id| kept.contains(*id)).cloned().collect();
            let total = ranked.len() as i64;
            let slice: Vec<String> =
                ranked.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
            return Ok(Page::new(self.directory_services_by_id(&slice).await?, page, total));
        }
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM directory_services s WHERE 1 = 1");
        push_filter(&mut count, filter);
        let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
        let mut sql = Sql::new(SERVICE_COLUMNS);
        sql.push(" WHERE 1 = 1");
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY s.name, s.id LIMIT ").bind(page.limit()).push(" OFFSET ").bind(page.offset());
        let items = sql.fetch_all(&self.pool).await?.iter().map(stored_service).collect::<Result<_>>()?;
        Ok(Page::new(items, page, total))
    }

    /// The next `batch` services matching `filter` in the order of the paged list (name, id),
    /// after the (name, id) of the last one read: a keyset, so that reading every service
    /// costs the same per batch however far the reader has come. A search's matches come in
    /// the search's order instead, `after` being the position reached in them.
    pub async fn directory_services_batch(
        &self,
        filter: &ServiceFilter,
        after: &ServiceCursor,
        batch: i64,
    ) -> Result<(Vec<StoredService>, ServiceCursor)> {
        if let Some(ids) = &filter.ids {
            let ServiceCursor::Position(from) = after else { return Ok((Vec::new(), ServiceCursor::End)) };
            let mut position = *from;
            let mut found = Vec::new();
            while found.is_empty() && position < ids.len() {
                let slice = &ids[position..(position + batch as usize).min(ids.len())];
                position += slice.len();
                let mut sql = Sql::new("SELECT s.id FROM directory_services s WHERE s.id IN (");
                sql.bind_list(slice.iter().cloned()).push(")");
                push_filter(&mut sql, filter);
                let kept: std::collections::HashSet<String> =
                    sql.fetch_all(&self.pool).await?.iter().map(|r| col(r, "id")).collect::<Result<_>>()?;
                let wanted: Vec<String> = slice.iter().filter(|id| kept.contains(*id)).cloned().collect();
                found = self.directory_services_by_id(&wanted).await?;
            }
            let next = if position < ids.len() { ServiceCursor::Position(position) } else { ServiceCursor::End };
            return Ok((found, next));
        }
        let mut sql = Sql::new(&SERVICE_COLUMNS.replace(" FROM ", ", s.name AS sort_name FROM "));
        sql.push(" WHERE 1 = 1");
        match after {
            ServiceCursor::Start | ServiceCursor::Position(_) => {}
            ServiceCursor::After { name, id } => {
                sql.push(" AND (s.name, s.id) > (").bind(name.clone()).push(", ").bind(id.clone()).push(")");
            }
            ServiceCursor::End => return Ok((Vec::new(), ServiceCursor::End)),
        }
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY s.name, s.id LIMIT ").bind(batch);
        let rows = sql.fetch_all(&self.pool).await?;
        let next = match rows.last() {
            Some(last) if rows.len() as i64 == batch => {
                ServiceCursor::After { name: col(last, "sort_name")?, id: col(last, "id")? }
            }
            _ => ServiceCursor::End,
        };
        Ok((rows.iter().map(stored_service).collect::<Result<_>>()?, next))
    }

    /// Id and last modification of every service matching `filter` (HSDS `minimal`).
    pub async fn directory_service_stamps(&self, filter: &ServiceFilter) -> Result<Vec<(String, String)>> {
        let mut sql = Sql::new("SELECT s.id, s.last_modified FROM directory_services s WHERE 1 = 1");
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY s.id");
        sql.fetch_all(&self.pool).await?.iter().map(|r| Ok((col(r, "id")?, col(r, "last_modified")?))).collect()
    }

    /// A page of organisations (their HSDS documents), by name.
    pub async fn directory_organization_page(&self, search: Option<&str>, page: PageRequest) -> Result<Page<Value>> {
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM directory_organizations o WHERE 1 = 1");
        let mut sql = Sql::new("SELECT o.document FROM directory_organizations o WHERE 1 = 1");
        if let Some(text) = search {
            crate::read::push_contains(&mut count, &["o.name"], text);
            crate::read::push_contains(&mut sql, &["o.name"], text);
        }
        let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
        sql.push(" ORDER BY o.name, o.id LIMIT ").bind(page.limit()).push(" OFFSET ").bind(page.offset());
        let items = sql.fetch_all(&self.pool).await?.iter().map(document).collect::<Result<_>>()?;
        Ok(Page::new(items, page, total))
    }

    pub async fn directory_organization(&self, id: &str) -> Result<Option<Value>> {
        let mut sql = Sql::new("SELECT o.document FROM directory_organizations o WHERE o.id = ");
        sql.bind(id);
        sql.fetch_optional(&self.pool).await?.as_ref().map(document).transpose()
    }

    /// The ids of every organisation of the directory.
    pub async fn directory_organization_ids(&self) -> Result<std::collections::HashSet<String>> {
        let rows = Sql::new("SELECT id FROM directory_organizations").fetch_all(&self.pool).await?;
        rows.iter().map(|r| col(r, "id")).collect()
    }

    /// A page of service-at-locations matching `filter`; with `near` (lat, lon, metres), only
    /// those within the distance, nearest first.
    pub async fn directory_sal_page(
        &self,
        filter: &ServiceFilter,
        postcode: Option<&str>,
        near: Option<(f64, f64, f64)>,
        page: PageRequest,
    ) -> Result<Page<StoredServiceAtLocation>> {
        let from = "FROM directory_service_at_locations l JOIN directory_services s ON s.id = l.service_id WHERE 1 = 1";
        let conditions = |sql: &mut Sql| {
            push_filter(sql, filter);
            match near {
                // Only the box around the circle is read; the circle itself is cut below.
                Some((lat, lon, metres)) => {
                    let dlat = metres / 111_000.0;
                    let dlon = metres / (111_000.0 * lat.to_radians().cos().max(0.01));
                    sql.push(" AND l.latitude BETWEEN ").bind(Some(lat - dlat)).push(" AND ").bind(Some(lat + dlat));
                    sql.push(" AND l.longitude BETWEEN ").bind(Some(lon - dlon)).push(" AND ").bind(Some(lon + dlon));
                }
                None => {
                    if let Some(code) = postcode {
                        sql.push(" AND l.postcode = ").bind(code);
                    }
                }
            }
        };
        let columns = "SELECT l.id, l.service_id, l.position, l.latitude, l.longitude ";
        if near.is_none() && filter.ids.is_none() {
            // The common case is paged by the database.
            let mut count = Sql::new(&format!("SELECT COUNT(*) AS n {from}"));
            conditions(&mut count);
            let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
            let mut sql = Sql::new(&format!("{columns}{from}"));
            conditions(&mut sql);
            sql.push(" ORDER BY s.name, l.position, l.id LIMIT ")
                .bind(page.limit())
                .push(" OFFSET ")
                .bind(page.offset());
            let items =
                sql.fetch_all(&self.pool).await?.iter().map(|r| service_at_location(r, None)).collect::<Result<_>>()?;
            return Ok(Page::new(items, page, total));
        }
        // Near a place or among the matches of a search: cut and ordered here.
        let wanted: Option<std::collections::HashSet<&String>> = filter.ids.as_ref().map(|ids| ids.iter().collect());
        let mut sql = Sql::new(&format!("{columns}{from}"));
        conditions(&mut sql);
        sql.push(" ORDER BY s.name, l.position, l.id");
        let mut rows: Vec<StoredServiceAtLocation> = Vec::new();
        for row in sql.fetch_all(&self.pool).await? {
            let service_id: String = col(&row, "service_id")?;
            if wanted.as_ref().is_some_and(|w| !w.contains(&service_id)) {
                continue;
            }
            let distance_m = match (near, col::<Option<f64>>(&row, "latitude")?, col::<Option<f64>>(&row, "longitude")?)
            {
                (Some((la, lo, _)), Some(lat), Some(lon)) => Some(agio_directory::geo::distance_m(la, lo, lat, lon)),
                _ => None,
            };
            if let Some((_, _, limit)) = near {
                if distance_m.is_none_or(|d| d > limit) {
                    continue;
                }
            }
            rows.push(service_at_location(&row, distance_m)?);
        }
        if near.is_some() {
            rows.sort_by(|a, b| a.distance_m.partial_cmp(&b.distance_m).unwrap_or(std::cmp::Ordering::Equal));
        }
        let total = rows.len() as i64;
        let items = rows.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
        Ok(Page::new(items, page, total))
    }

    pub async fn directory_sal(&self, id: &str) -> Result<Option<StoredServiceAtLocation>> {
        let mut sql =
            Sql::new("SELECT l.id, l.service_id, l.position FROM directory_service_at_locations l WHERE l.id = ");
        sql.bind(id);
        sql.fetch_optional(&self.pool).await?.map(|row| service_at_location(&row, None)).transpose()
    }

    /// The centre of a postcode: the mean position of the locations that have it.
    pub async fn directory_postcode_centre(&self, postcode: &str) -> Result<Option<(f64, f64)>> {
        let mut sql = Sql::new(
            "SELECT AVG(latitude) AS latitude, AVG(longitude) AS longitude FROM directory_service_at_locations \
             WHERE latitude IS NOT NULL AND postcode = ",
        );
        sql.bind(postcode);
        let row = sql.fetch_one(&self.pool).await?;
        Ok(match (col::<Option<f64>>(&row, "latitude")?, col::<Option<f64>>(&row, "longitude")?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    }

    /// The ids of the taxonomy terms of the directory's vocabularies, with their vocabulary.
    pub async fn directory_term_ids(
        &self,
    ) -> Result<HashMap<String, (agio_domain::Vocabulary, agio_domain::model::Term)>> {
        let mut ids = HashMap::new();
        for vocabulary in DIRECTORY_VOCABULARIES {
            for term in self.terms(vocabulary).await? {
                ids.insert(term_id(vocabulary, &term.code), (vocabulary, term));
            }
        }
        Ok(ids)
    }
}

fn service_at_location(row: &AnyRow, distance_m: Option<f64>) -> Result<StoredServiceAtLocation> {
    Ok(StoredServiceAtLocation {
        id: col(row, "id")?,
        service_id: col(row, "service_id")?,
        position: col::<i64>(row, "position")? as usize,
        distance_m,
    })
}

/// The JSON of the `document` column.
fn document(row: &AnyRow) -> Result<Value> {
    let text: String = col(row, "document")?;
    serde_json::from_str(&text).map_err(|e| StoreError::InvalidData(format!("document: {e}")))
}

fn push_filter(sql: &mut Sql, filter: &ServiceFilter) {
    if let Some(org) = &filter.organization_id {
        sql.push(" AND s.organization_id = ").bind(org.as_str());
    }
    if let Some(after) = &filter.modified_after {
        sql.push(" AND s.last_modified >= ").bind(after.as_str());
    }
    if let Some(terms) = &filter.term_ids {
        if terms.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            sql.push(" AND s.id IN (SELECT t.service_id FROM directory_service_terms t WHERE t.term_id IN (")
                .bind_list(terms.iter().cloned())
                .push("))");
        }
    }
}

impl Store {
    /// Every comune with its district, as the service generator places services.
    pub async fn directory_comuni(&self) -> Result<Vec<agio_directory::generate::Comune>> {
        let rows = Sql::new(
            "SELECT c.code AS istat, c.name, COALESCE(c.province, '') AS province, \
             COALESCE(c.province_code, '') AS province_code, c.lat, c.lon, d.code AS district_code, \
             d.name AS district_name, COALESCE(d.health_authority, '') AS health_authority \
             FROM territories c JOIN territories d ON d.id = c.parent_id \
             WHERE c.kind = 'comune' AND d.kind = 'district' AND c.lat IS NOT NULL ORDER BY c.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(agio_directory::generate::Comune {
                    istat: col(r, "istat")?,
                    name: col(r, "name")?,
                    province: col(r, "province")?,
                    province_code: col(r, "province_code")?,
                    lat: col(r, "lat")?,
                    lon: col(r, "lon")?,
                    district_code: col(r, "district_code")?,
                    district_name: col(r, "district_name")?,
                    health_authority: col(r, "health_authority")?,
                })
            })
            .collect()
    }

    /// Labels of the terms of the directory's vocabularies, for the generator.
    pub async fn directory_term_labels(&self) -> Result<agio_directory::generate::TermLabels> {
        let mut labels = HashMap::new();
        for vocabulary in DIRECTORY_VOCABULARIES {
            for term in self.terms(vocabulary).await? {
                labels.insert((vocabulary, term.code.clone()), term);
            }
        }
        Ok(labels)
    }

    /// The actions of the agendas, by district code and title (to link demo services).
    pub async fn directory_action_links(
        &self,
    ) -> Result<HashMap<(String, String), agio_directory::generate::ActionLink>> {
        let rows = Sql::new(
            "SELECT t.code AS district_code, a.title, g.slug AS agenda_slug, a.code FROM actions a \
             JOIN agendas g ON g.id = a.agenda_id \
             JOIN territories t ON t.id = g.territory_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut links = HashMap::new();
        for r in &rows {
            let title: String = col(r, "title")?;
            links.insert(
                (col(r, "district_code")?, title.clone()),
                agio_directory::generate::ActionLink { agenda: col(r, "agenda_slug")?, code: col(r, "code")?, title },
            );
        }
        Ok(links)
    }

    /// The demo directory (services built from `data/directory/demo-services.json` at the demo
    /// districts), written like an import: a second load changes nothing.
    pub async fn load_demo_directory(&self) -> Result<DirectoryWrite> {
        let templates = agio_directory::generate::Templates::demo()
            .map_err(|e| StoreError::InvalidData(format!("data/directory/demo-services.json: {e}")))?;
        let comuni = self.directory_comuni().await?;
        let terms = self.directory_term_labels().await?;
        let links = self.directory_action_links().await?;
        let lookup = |district: &str, title: &str| links.get(&(district.to_string(), title.to_string())).cloned();
        let context = agio_directory::generate::Context { comuni: &comuni, terms: &terms, action: &lookup };
        let documents =
            agio_directory::generate::demo_services(&templates, &context).map_err(StoreError::InvalidData)?;
        let mut write = self.begin_write(&crate::Actor::import()).await?;
        let report = write.save_services(&documents, true, |_| {}).await?;
        if report.changed.is_empty() {
            return Ok(report);
        }
        write.commit().await?;
        Ok(report)
    }
}

impl Store {
    /// Ids of the services written at or after `since` (RFC 3339), to bring an index up to date.
    /// The AGIO organisation (id) linked to each directory organisation among `ids`.
    pub async fn directory_organization_owners(&self, ids: &[String]) -> Result<HashMap<String, Option<String>>> {
        let mut owners = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new("SELECT id, agio_organization_id FROM directory_organizations WHERE id IN (");
            sql.bind_list(chunk.iter().cloned()).push(")");
            for row in sql.fetch_all(&self.pool).await? {
                owners.insert(col(&row, "id")?, col(&row, "agio_organization_id")?);
            }
        }
        Ok(owners)
    }

    /// AGIO organisations by name (a new directory organisation is linked to the one it names).
    pub async fn organization_ids_by_name(&self) -> Result<HashMap<String, String>> {
        let rows = Sql::new("SELECT name, id FROM organizations").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((col(r, "name")?, col(r, "id")?))).collect()
    }

    pub async fn directory_changed_since(&self, since: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT id FROM directory_services WHERE updated_at >= ");
        sql.bind(since);
        sql.fetch_all(&self.pool).await?.iter().map(|r| col(r, "id")).collect()
    }
}
