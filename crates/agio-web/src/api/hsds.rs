//! `/hsds/`: the directory as the Open Referral HSDS 3.0 API, as its OpenAPI file
//! (`data/hsds/3.0/schema/openapi.json`) describes it: services, organisations,
//! service-at-locations, taxonomies and taxonomy terms, with HSDS paging. What it serves is
//! the stored documents; the tests validate every answer against the published schemas.

use std::collections::HashSet;

use agio_directory::taxonomy::{taxonomy_id, taxonomy_json, term_id, term_json, DIRECTORY_VOCABULARIES};
use agio_domain::{Page, PageRequest};
use agio_store::{ServiceCursor, ServiceFilter, StoredService};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::kit::error::{AppError, ParamProblem};
use crate::kit::query::Params;
use crate::kit::state::AppState;
use agio_app::directory::Ask;

/// The HSDS OpenAPI file, as published.
const OPENAPI: &str = include_str!("../../../../data/hsds/3.0/schema/openapi.json");

/// Most matches a full-text search hands to the paging (the rest are past any sensible page).
const SEARCH_LIMIT: usize = 10_000;

/// Fields of a full service that its list form leaves out (HSDS `compiled/service_list.json`).
const NESTED: &[&str] = &[
    "phones",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "funding",
    "cost_options",
    "required_documents",
    "contacts",
    "attributes",
    "metadata",
    "agio_translations",
];

fn bad(name: &str, value: &str, problem: impl FnOnce(String) -> ParamProblem) -> AppError {
    AppError::BadParam { name: name.to_string(), problem: problem(value.chars().take(100).collect()) }
}

/// An HSDS page: the counts and flags of `#/components/schemas/Page`, and the contents.
fn hsds_page<T>(page: &Page<T>, contents: Vec<Value>) -> Value {
    json!({
        "total_items": page.total,
        "total_pages": page.total_pages,
        "page_number": page.page,
        "size": contents.len(),
        "first_page": page.page == 1,
        "last_page": page.page >= page.total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// `format`: `json` (paged) or `ndjson` (every result, one per line, no paging).
fn ndjson(params: &Params) -> Result<bool, AppError> {
    match params.get("format") {
        None | Some("json") => Ok(false),
        Some("ndjson") => Ok(true),
        Some(v) => Err(bad("format", v, |value| ParamProblem::NotOneOf {
            value,
            allowed: vec!["json".into(), "ndjson".into()],
        })),
    }
}

fn ndjson_response(items: Vec<Value>) -> Response {
    let mut body = String::new();
    for item in items {
        body.push_str(&item.to_string());
        body.push('\n');
    }
    ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
}

/// A service in the list form.
fn list_item(document: &Value) -> Value {
    let mut item = document.clone();
    if let Some(o) = item.as_object_mut() {
        for field in NESTED {
            o.remove(*field);
        }
        if let Some(org) = o.get("organization").and_then(|v| v.get("id")).cloned() {
            o.insert("organization_id".into(), org);
        }
    }
    item
}

/// The filters of `/services` and `/service_at_locations`.
async fn service_filter(state: &AppState, params: &Params) -> Result<ServiceFilter, AppError> {
    let mut filter = ServiceFilter {
        organization_id: params.uuid("organization_id")?,
        modified_after: modified_after(params)?,
        ..Default::default()
    };
    if let Some(term) = params.uuid("taxonomy_term_id")? {
        filter.term_ids = Some(vec![term]);
    }
    if let Some(taxonomy) = params.uuid("taxonomy_id")? {
        let terms = state.store.directory_term_ids().await?;
        let in_taxonomy: Vec<String> =
            terms.iter().filter(|(_, (v, _))| taxonomy_id(*v) == taxonomy).map(|(id, _)| id.clone()).collect();
        filter.term_ids = Some(match filter.term_ids {
            Some(one) => one.into_iter().filter(|t| in_taxonomy.contains(t)).collect(),
            None => in_taxonomy,
        });
    }
    if let Some(text) = params.text("search")? {
        let ask = Ask { text, limit: SEARCH_LIMIT, ..Default::default() };
        let hits = state.directory.search(&ask, time::OffsetDateTime::now_utc())?.hits;
        filter.ids = Some(hits.into_iter().map(|h| h.id).collect());
    }
    Ok(filter)
}

/// `modified_after`: an RFC 3339 date-time, or a date (from its start, UTC).
fn modified_after(params: &Params) -> Result<Option<String>, AppError> {
    let Some(v) = params.get("modified_after") else { return Ok(None) };
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(v, rfc3339) {
        let utc = t.to_offset(time::UtcOffset::UTC);
        return Ok(utc.format(rfc3339).ok());
    }
    match agio_directory::schedule::parse_date(v) {
        Some(d) => Ok(Some(format!("{d}T00:00:00Z"))),
        None => Err(bad("modified_after", v, |value| ParamProblem::NotADate { value })),
    }
}

async fn root(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "version": "3.0",
        "profile": "https://docs.openreferral.org/en/latest/hsds/",
        "openapi_url": format!("{}/hsds/openapi.json", state.base_url),
    }))
}

/// The published OpenAPI file with its placeholders (title, version, contact, licence)
/// filled in for this server.
async fn openapi(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let mut document: Value = serde_json::from_str(OPENAPI).map_err(|e| AppError::Internal(e.to_string()))?;
    document["info"] = json!({
        "title": "AGIO – Servizi di welfare dell'Emilia-Romagna (Open Referral HSDS 3.0)",
        "version": "3.0",
        "summary": "The directory of welfare services of the Agende Digitali Sociali, as HSDS 3.0.",
        "description": "Services, organisations, places and the needs taxonomy of AGIO's directory. \
            AGIO's extensions are fields named agio_* (digital level, digital assets, agenda action, translations).",
        "contact": { "name": "AGIO", "url": format!("{}/servizi", state.base_url) },
        "license": { "name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/" },
    });
    document["servers"] = json!([{ "url": format!("{}/hsds", state.base_url) }]);
    Ok(Json(super::contract::hsds_declared(document)))
}

/// A schema file the document refers to (`schema/service.json`), as published.
async fn schema_file(axum::extract::Path(file): axum::extract::Path<String>) -> Result<Response, AppError> {
    let text = agio_hsds::file(&file).ok_or(AppError::NotFound)?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/schema+json")], text).into_response())
}

/// How much of a service a list shows.
#[derive(Clone, Copy)]
enum Shape {
    Minimal,
    List,
    Full,
}

impl Shape {
    fn of(&self, s: &StoredService) -> Value {
        let d = &s.document;
        match self {
            Shape::Minimal => {
                json!({ "id": d["id"], "name": d["name"], "status": d["status"], "last_modified": d["last_modified"] })
            }
            Shape::List => list_item(d),
            Shape::Full => d.clone(),
        }
    }
}

/// Services read and sent per batch of a streamed export.
const STREAM_BATCH: i64 = 200;

async fn services(State(state): State<AppState>, params: Params) -> Result<Response, AppError> {
    let filter = service_filter(&state, &params).await?;
    let shape = match (params.flag("minimal")?, params.flag("full")?) {
        (true, _) => Shape::Minimal,
        (false, true) => Shape::Full,
        (false, false) => Shape::List,
    };
    let request = params.page()?;
    if ndjson(&params)? {
        return Ok(ndjson_stream(state, filter, shape));
    }
    let page = state.store.directory_service_page(&filter, request).await?;
    let contents = page.items.iter().map(|s| shape.of(s)).collect();
    Ok(Json(hsds_page(&page, contents)).into_response())
}

/// Every matching service, one per line, read and sent a batch at a time (by keyset), so that
/// the server's memory does not grow with the size of the directory.
fn ndjson_stream(state: AppState, filter: ServiceFilter, shape: Shape) -> Response {
    let start = ServiceCursor::start(&filter);
    let batches = futures_util::stream::unfold(Some(start), move |cursor| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let cursor = cursor.filter(|c| *c != ServiceCursor::End)?;
            match state.store.directory_services_batch(&filter, &cursor, STREAM_BATCH).await {
                Ok((services, next)) => {
                    let mut chunk = String::new();
                    for service in &services {
                        chunk.push_str(&shape.of(service).to_string());
                        chunk.push('\n');
                    }
                    Some((Ok::<_, std::io::Error>(bytes::Bytes::from(chunk)), Some(next)))
                }
                Err(e) => {
                    // The status line has gone: ending the body early is all that is left.
                    tracing::error!(error = %e, "the streamed export stopped");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        }
    });
    // Fused: a layer may poll the body again after its end, which an unfold must never be.
    let body = axum::body::Body::from_stream(futures_util::StreamExt::fuse(batches));
    ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
}

async fn service(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let stored = found_service(&state, &id).await?;
    Ok(Json(stored.document))
}

/// A service by its HSDS id (not by slug: the API speaks ids).
async fn found_service(state: &AppState, id: &str) -> Result<StoredService, AppError> {
    if !agio_directory::ids::is_uuid(id) {
        return Err(AppError::NotFound);
    }
    state
        .store
        .directory_service(&id.to_lowercase())
        .await?
        .filter(|s| s.id == id.to_lowercase())
        .ok_or(AppError::NotFound)
}

async fn organizations(State(state): State<AppState>, params: Params) -> Result<Response, AppError> {
    // Every parameter is read, so that a wrong one is named even when another decides.
    let (full, full_service) = (params.flag("full")?, params.flag("full_service")?);
    let full = full || full_service;
    let search = params.text("search")?;
    let asked = params.page()?;
    let request = if ndjson(&params)? { None } else { Some(asked) };
    let page = state
        .store
        .directory_organization_page(
            search.as_deref(),
            request.unwrap_or(PageRequest::new(Some(1), Some(100)).expect("valid")),
        )
        .await?;
    let mut contents = Vec::new();
    for organization in &page.items {
        contents.push(if full {
            with_services(&state, organization, full_service).await?
        } else {
            organization.clone()
        });
    }
    match request {
        Some(_) => Ok(Json(hsds_page(&page, contents)).into_response()),
        None => Ok(ndjson_response(contents)),
    }
}

/// An organisation with its services (list form, or full with `full_service`).
async fn with_services(state: &AppState, organization: &Value, full_service: bool) -> Result<Value, AppError> {
    let id = organization["id"].as_str().unwrap_or_default().to_string();
    let filter = ServiceFilter { organization_id: Some(id), ..Default::default() };
    let ids: Vec<String> = state.store.directory_service_stamps(&filter).await?.into_iter().map(|(id, _)| id).collect();
    let services = state.store.directory_services_by_id(&ids).await?;
    let mut o = organization.clone();
    o["services"] = services
        .iter()
        .map(|s| {
            let mut d = if full_service { s.document.clone() } else { list_item(&s.document) };
            if let Some(map) = d.as_object_mut() {
                map.remove("organization");
            }
            d
        })
        .collect();
    Ok(o)
}

async fn organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, AppError> {
    if !agio_directory::ids::is_uuid(&id) {
        return Err(AppError::NotFound);
    }
    let organization = state.store.directory_organization(&id.to_lowercase()).await?.ok_or(AppError::NotFound)?;
    Ok(Json(with_services(&state, &organization, params.flag("full_service")?).await?))
}

/// A service-at-location of a stored service: its own fields, its location, and the service.
fn sal_of(document: &Value, position: usize, full: bool) -> Value {
    let mut sal = document["service_at_locations"][position].clone();
    if let Some(o) = sal.as_object_mut() {
        o.insert("service_id".into(), document["id"].clone());
        if let Some(location_id) = o.get("location").and_then(|l| l.get("id")).cloned() {
            o.insert("location_id".into(), location_id);
        }
        o.insert("service".into(), if full { document.clone() } else { list_item(document) });
        if !full {
            // The list form: no nested lists of the service-at-location itself.
            for field in ["schedules", "phones", "contacts", "attributes", "metadata"] {
                o.remove(field);
            }
            if let Some(location) = o.get_mut("location").and_then(Value::as_object_mut) {
                let kept: Map<String, Value> =
                    location.iter().filter(|(_, v)| !v.is_array()).map(|(k, v)| (k.clone(), v.clone())).collect();
                *location = kept;
            }
        }
    }
    sal
}

async fn service_at_locations(State(state): State<AppState>, params: Params) -> Result<Response, AppError> {
    let filter = service_filter(&state, &params).await?;
    let full = params.flag("full")?;
    let postcode = params.text("postcode")?;
    let near = match params.get("proximity") {
        None => None,
        Some(v) => {
            let metres: f64 =
                v.parse().ok().filter(|m: &f64| m.is_finite() && *m > 0.0 && *m <= 500_000.0).ok_or_else(|| {
                    bad("proximity", v, |value| ParamProblem::OutOfRange { value, min: 1, max: 500_000 })
                })?;
            let code = postcode
                .as_deref()
                .ok_or_else(|| bad("postcode", "proximity", |other| ParamProblem::NeededWith { other }))?;
            // An unknown postcode has no centre: nothing is near it.
            match state.store.directory_postcode_centre(code).await? {
                Some((lat, lon)) => Some((lat, lon, metres)),
                None => Some((0.0, 0.0, 0.0)),
            }
        }
    };
    let asked = params.page()?;
    let paged = !ndjson(&params)?;
    let request = if paged { asked } else { PageRequest::new(Some(1), Some(100)).expect("valid") };
    let mut pages = vec![state.store.directory_sal_page(&filter, postcode.as_deref(), near, request).await?];
    if !paged {
        for n in 2..=pages[0].total_pages {
            let next = PageRequest::new(Some(n as i64), Some(100)).expect("valid");
            pages.push(state.store.directory_sal_page(&filter, postcode.as_deref(), near, next).await?);
        }
    }
    let mut contents = Vec::new();
    for page in &pages {
        let ids: Vec<String> =
            page.items.iter().map(|s| s.service_id.clone()).collect::<HashSet<_>>().into_iter().collect();
        let services = state.store.directory_services_by_id(&ids).await?;
        for sal in &page.items {
            if let Some(s) = services.iter().find(|s| s.id == sal.service_id) {
                contents.push(sal_of(&s.document, sal.position, full));
            }
        }
    }
    if paged {
        Ok(Json(hsds_page(&pages[0], contents)).into_response())
    } else {
        Ok(ndjson_response(contents))
    }
}

async fn service_at_location(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    if !agio_directory::ids::is_uuid(&id) {
        return Err(AppError::NotFound);
    }
    let sal = state.store.directory_sal(&id.to_lowercase()).await?.ok_or(AppError::NotFound)?;
    let service = state.store.directory_service(&sal.service_id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(sal_of(&service.document, sal.position, true)))
}

/// Every taxonomy term of the directory, as HSDS objects, in vocabulary order.
async fn all_terms(state: &AppState) -> Result<Vec<Value>, AppError> {
    let mut terms = Vec::new();
    for vocabulary in DIRECTORY_VOCABULARIES {
        for term in state.store.terms(vocabulary).await? {
            terms.push(term_json(vocabulary, &term));
        }
    }
    Ok(terms)
}

/// Pages a list held in memory (taxonomies and terms are few).
fn paged(params: &Params, items: Vec<Value>) -> Result<Response, AppError> {
    let request = params.page()?;
    if ndjson(params)? {
        return Ok(ndjson_response(items));
    }
    let total = items.len() as i64;
    let slice: Vec<Value> = items.into_iter().skip(request.offset() as usize).take(request.limit() as usize).collect();
    let page = Page::new(Vec::<()>::new(), request, total);
    Ok(Json(hsds_page(&page, slice)).into_response())
}

fn matches(item: &Value, search: &Option<String>) -> bool {
    let Some(search) = search else { return true };
    let wanted = agio_search::fold(search);
    ["name", "description"].iter().any(|f| agio_search::fold(item[f].as_str().unwrap_or_default()).contains(&wanted))
}

async fn taxonomies(params: Params) -> Result<Response, AppError> {
    let search = params.text("search")?;
    let items = DIRECTORY_VOCABULARIES.iter().map(|v| taxonomy_json(*v)).filter(|t| matches(t, &search)).collect();
    paged(&params, items)
}

async fn taxonomy(Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    DIRECTORY_VOCABULARIES
        .iter()
        .find(|v| taxonomy_id(**v) == id.to_lowercase())
        .map(|v| Json(taxonomy_json(*v)))
        .ok_or(AppError::NotFound)
}

async fn taxonomy_terms(State(state): State<AppState>, params: Params) -> Result<Response, AppError> {
    let search = params.text("search")?;
    let taxonomy = params.uuid("taxonomy_id")?;
    // The directory's taxonomies are flat: every term is a top term (so `top_only` changes
    // nothing, but must still be a boolean) and none has a parent (a `parent_id` finds none).
    params.flag("top_only")?;
    let has_parent = params.uuid("parent_id")?.is_some();
    let items = all_terms(&state)
        .await?
        .into_iter()
        .filter(|t| taxonomy.as_ref().is_none_or(|id| t["taxonomy_id"] == *id))
        .filter(|t| !has_parent && matches(t, &search))
        .collect();
    paged(&params, items)
}

async fn taxonomy_term(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let id = id.to_lowercase();
    for vocabulary in DIRECTORY_VOCABULARIES {
        for term in state.store.terms(vocabulary).await? {
            if term_id(vocabulary, &term.code) == id {
                return Ok(Json(term_json(vocabulary, &term)));
            }
        }
    }
    Err(AppError::NotFound)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hsds", get(|| async { axum::response::Redirect::permanent("/hsds/") }))
        .route("/hsds/", get(root))
        .route("/hsds/openapi.json", get(openapi))
        .route("/hsds/schema/{*file}", get(schema_file))
        .route("/hsds/services", get(services))
        .route("/hsds/services/{id}", get(service))
        .route("/hsds/organizations", get(organizations))
        .route("/hsds/organizations/{id}", get(organization))
        .route("/hsds/service_at_locations", get(service_at_locations))
        .route("/hsds/service_at_locations/{id}", get(service_at_location))
        .route("/hsds/taxonomies", get(taxonomies))
        .route("/hsds/taxonomies/{id}", get(taxonomy))
        .route("/hsds/taxonomy_terms", get(taxonomy_terms))
        .route("/hsds/taxonomy_terms/{id}", get(taxonomy_term))
}
